import type { ModelFormat } from '../../shared/contract/index.ts';
import { readField, WireError, WireType } from '../onnx/wire.ts';
import { looksLikeHeaderlessPickle } from '../sklearn/pickle/headerless.ts';
import { sniffXgboost } from '../sklearn/xgboost/sniff.ts';

/** How many leading bytes `sniffModelFormat` looks at. */
export const sniffLength = 4096;

/** ModelProto's field numbers and their wire types (onnx.proto, up to IR version 10). */
const modelProtoFields: ReadonlyMap<number, number> = new Map([
  [1, WireType.varint], // ir_version
  [2, WireType.lengthDelimited], // producer_name
  [3, WireType.lengthDelimited], // producer_version
  [4, WireType.lengthDelimited], // domain
  [5, WireType.varint], // model_version
  [6, WireType.lengthDelimited], // doc_string
  [7, WireType.lengthDelimited], // graph
  [8, WireType.lengthDelimited], // opset_import
  [14, WireType.lengthDelimited], // metadata_props
  [20, WireType.lengthDelimited], // training_info
  [25, WireType.lengthDelimited], // functions
]);

function looksLikeOnnx(head: Uint8Array): boolean {
  // Every field that fits in the head must be a ModelProto field with the right wire type.
  // A field cut off by the end of the head is fine (the head is a prefix of the file).
  let offset = 0;
  let fields = 0;
  while (offset < head.length) {
    try {
      const field = readField(head, offset);
      if (modelProtoFields.get(field.field) !== field.wireType) return false;
      if (field.field === 1 && (field.varint === undefined || field.varint < 1 || field.varint > 100))
        return false;
      fields++;
      offset = field.end;
    } catch (error) {
      if (error instanceof WireError && error.kind === 'truncated') {
        const tag = head[offset]!;
        return modelProtoFields.get(tag >> 3) === (tag & 7);
      }
      return false;
    }
  }
  return fields > 0;
}

function isCompressed(head: Uint8Array): boolean {
  const [b0, b1, b2, b3, b4, b5] = head;
  if (b0 === 0x1f && b1 === 0x8b) return true; // gzip
  if (b0 === 0x42 && b1 === 0x5a && b2 === 0x68) return true; // bz2 "BZh"
  if (b0 === 0xfd && b1 === 0x37 && b2 === 0x7a && b3 === 0x58 && b4 === 0x5a && b5 === 0x00) return true; // xz
  if (b0 === 0x5d && b1 === 0x00 && b2 === 0x00) return true; // lzma (legacy .lzma, joblib's "lzma")
  // zlib: CMF 0x78 and a header checksum divisible by 31 (joblib's default compressor).
  if (b0 === 0x78 && b1 !== undefined && (b0 * 256 + b1) % 31 === 0) return true;
  return false;
}

const latin1 = new TextDecoder('latin1');

function pickleProtocol(head: Uint8Array): number | null {
  if (head[0] === 0x80 && head[1] !== undefined && head[1] >= 2 && head[1] <= 5) return head[1];
  // Protocols 0 and 1 have no header, and Python runs any stream of instructions without one:
  // recognise them by their first instructions, so a crafted file is refused by name, not as
  // "not a model file".
  if (looksLikeHeaderlessPickle(head)) return 0;
  return null;
}

/** The format of a model file decided from its first bytes, or null when ModelDock cannot read it. */
export function sniffModelFormat(head: Uint8Array): ModelFormat | null {
  if (head.length === 0) return null;
  if (sniffXgboost(head)) return 'xgboost';
  if (isCompressed(head)) return 'sklearn-joblib';
  if (pickleProtocol(head) !== null) {
    // An uncompressed joblib file is a pickle whose arrays are NumpyArrayWrapper records.
    return latin1.decode(head).includes('NumpyArrayWrapper') ? 'sklearn-joblib' : 'sklearn-pickle';
  }
  if (looksLikeOnnx(head)) return 'onnx';
  return null;
}

/** A short, printable description of what the first bytes look like, for error messages. */
export function describeHead(head: Uint8Array): string {
  if (head.every((byte) => byte === 0)) return 'it contains only zero bytes';
  const sample = head.subarray(0, 64);
  const printable = sample.filter((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b < 127)).length;
  if (printable === sample.length) return 'it looks like a text file';
  return `it starts with the bytes ${Array.from(head.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ')}`;
}
