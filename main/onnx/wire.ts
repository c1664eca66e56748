import type onnxProto from 'onnx-proto';

/**
 * ModelDock's one module for ONNX's protobuf wire format, both ways.
 *
 * Reading: just enough of the wire format to walk a message's fields without decoding them.
 * Used to sniff ONNX files from their first bytes, to tell a truncated file from a foreign one,
 * and to rewrite a graph by copying untouched fields byte for byte (so fields newer than the
 * ONNX 1.10 schema in onnx-proto survive a rewrite).
 */

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** One field of a message: its number, wire type and where it lies in the buffer. */
export interface WireField {
  field: number;
  wireType: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of the value (after the tag and, for length-delimited fields, the length). */
  valueStart: number;
  /** Offset just past the value. */
  end: number;
  /** The value of varint fields (as a number; large values lose precision, which is fine here). */
  varint?: number;
}

/** Why a buffer is not a well-formed protobuf message. */
export class WireError extends Error {
  constructor(
    readonly kind: 'truncated' | 'invalid',
    message: string,
    /** For truncated: how many more bytes the last field needs. */
    readonly missingBytes = 0,
    readonly field = 0,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

function readVarint(bytes: Uint8Array, offset: number, end: number): { value: number; next: number } {
  let value = 0;
  let factor = 1;
  for (let i = 0; i < 10; i++) {
    const at = offset + i;
    if (at >= end) throw new WireError('truncated', 'the data ends inside a number', 1);
    const byte = bytes[at]!;
    value += (byte & 0x7f) * factor;
    factor *= 128;
    if ((byte & 0x80) === 0) return { value, next: at + 1 };
  }
  throw new WireError('invalid', 'a number is longer than 10 bytes');
}

/** Reads the next field at `offset`; throws WireError when the bytes cannot be one. */
export function readField(bytes: Uint8Array, offset: number, end = bytes.length): WireField {
  const tag = readVarint(bytes, offset, end);
  const field = Math.floor(tag.value / 8);
  const wireType = tag.value % 8;
  if (field === 0) throw new WireError('invalid', 'field number 0 is not allowed');
  switch (wireType) {
    case WireType.varint: {
      const value = readVarint(bytes, tag.next, end);
      return { field, wireType, start: offset, valueStart: tag.next, end: value.next, varint: value.value };
    }
    case WireType.fixed64:
    case WireType.fixed32: {
      const size = wireType === WireType.fixed64 ? 8 : 4;
      if (tag.next + size > end) {
        throw new WireError('truncated', `field ${field} needs ${size} bytes`, tag.next + size - end, field);
      }
      return { field, wireType, start: offset, valueStart: tag.next, end: tag.next + size };
    }
    case WireType.lengthDelimited: {
      const length = readVarint(bytes, tag.next, end);
      const valueEnd = length.next + length.value;
      if (valueEnd > end) {
        throw new WireError(
          'truncated',
          `field ${field} declares ${length.value} bytes`,
          valueEnd - end,
          field,
        );
      }
      return { field, wireType, start: offset, valueStart: length.next, end: valueEnd };
    }
    default:
      throw new WireError('invalid', `wire type ${wireType} is not used by ONNX`);
  }
}

/** Every field of the message in bytes[start, end). Throws WireError on malformed or cut-off data. */
export function readFields(bytes: Uint8Array, start = 0, end = bytes.length): WireField[] {
  const fields: WireField[] = [];
  let offset = start;
  while (offset < end) {
    const field = readField(bytes, offset, end);
    fields.push(field);
    offset = field.end;
  }
  return fields;
}

export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** A length-delimited field: tag, length, payload. */
export function encodeLengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const header = [...encodeVarint(field * 8 + WireType.lengthDelimited), ...encodeVarint(payload.length)];
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

// --- Writing: the ModelProto the scikit-learn converter emits ---

type IModelProto = onnxProto.onnx.IModelProto;
type IGraphProto = onnxProto.onnx.IGraphProto;
type INodeProto = onnxProto.onnx.INodeProto;
type IAttributeProto = onnxProto.onnx.IAttributeProto;
type ITensorProto = onnxProto.onnx.ITensorProto;
type IValueInfoProto = onnxProto.onnx.IValueInfoProto;

/**
 * A protobuf writer for the part of onnx.proto the converter emits. protobufjs encodes
 * repeated int64 fields one allocation per value, which made a 100-tree forest (hundreds of
 * thousands of node ids) take over half a second to serialise; this writes the same wire
 * format directly. Field numbers follow onnx.proto; the output decodes with onnx-proto.
 */
class Writer {
  private buffer = new Uint8Array(1024);
  length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  varint(value: number): void {
    this.reserve(10);
    if (value < 0 || !Number.isSafeInteger(value)) {
      // Negative int64s are ten-byte two's-complement varints.
      let big = BigInt.asUintN(64, BigInt(Math.trunc(value)));
      while (big >= 0x80n) {
        this.buffer[this.length++] = Number(big & 0x7fn) | 0x80;
        big >>= 7n;
      }
      this.buffer[this.length++] = Number(big);
      return;
    }
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
  }

  tag(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  bytes(field: number, data: Uint8Array): void {
    this.tag(field, 2);
    this.varint(data.length);
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  string(field: number, value: string | null | undefined): void {
    if (value) this.bytes(field, utf8.encode(value));
  }

  int(field: number, value: number | { toNumber(): number } | null | undefined): void {
    if (value === null || value === undefined) return;
    this.tag(field, 0);
    this.varint(typeof value === 'number' ? value : value.toNumber());
  }

  float(field: number, value: number): void {
    this.tag(field, 5);
    this.reserve(4);
    new DataView(this.buffer.buffer).setFloat32(this.length, value, true);
    this.length += 4;
  }

  /** A repeated int64 field, packed (protobuf parsers accept packed and unpacked alike). */
  packedInts(field: number, values: readonly (number | { toNumber(): number })[]): void {
    if (values.length === 0) return;
    const inner = new Writer();
    for (const value of values) inner.varint(typeof value === 'number' ? value : value.toNumber());
    this.bytes(field, inner.finish());
  }

  packedFloats(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const data = new Uint8Array(Float32Array.from(values).buffer);
    this.bytes(field, data);
  }

  message<T>(field: number, value: T, write: (writer: Writer, value: T) => void): void {
    const inner = new Writer();
    write(inner, value);
    this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

const utf8 = new TextEncoder();

function writeTensor(w: Writer, t: ITensorProto): void {
  if (t.dims?.length) w.packedInts(1, t.dims);
  w.int(2, t.dataType);
  for (const s of t.stringData ?? []) w.bytes(6, s);
  w.string(8, t.name);
  if (t.rawData) w.bytes(9, t.rawData);
}

function writeAttribute(w: Writer, a: IAttributeProto): void {
  w.string(1, a.name);
  if (a.f !== null && a.f !== undefined) w.float(2, a.f);
  w.int(3, a.i);
  if (a.s) w.bytes(4, a.s);
  if (a.t) w.message(5, a.t, writeTensor);
  if (a.floats?.length) w.packedFloats(7, a.floats);
  if (a.ints?.length) w.packedInts(8, a.ints);
  for (const s of a.strings ?? []) w.bytes(9, s);
  w.int(20, a.type);
}

function writeNode(w: Writer, n: INodeProto): void {
  for (const input of n.input ?? []) w.bytes(1, utf8.encode(input));
  for (const output of n.output ?? []) w.bytes(2, utf8.encode(output));
  w.string(3, n.name);
  w.string(4, n.opType);
  for (const a of n.attribute ?? []) w.message(5, a, writeAttribute);
  w.string(7, n.domain);
}

function writeValueInfo(w: Writer, v: IValueInfoProto): void {
  w.string(1, v.name);
  const tensor = v.type?.tensorType;
  if (!tensor) return;
  w.message(2, tensor, (typeWriter, tensorType) => {
    typeWriter.message(1, tensorType, (tw, tt) => {
      tw.int(1, tt.elemType);
      if (tt.shape) {
        tw.message(2, tt.shape, (sw, shape) => {
          for (const dim of shape.dim ?? []) {
            sw.message(1, dim, (dw, d) => {
              if (d.dimParam) dw.string(2, d.dimParam);
              else dw.int(1, d.dimValue);
            });
          }
        });
      }
    });
  });
}

function writeGraph(w: Writer, g: IGraphProto): void {
  for (const n of g.node ?? []) w.message(1, n, writeNode);
  w.string(2, g.name);
  for (const t of g.initializer ?? []) w.message(5, t, writeTensor);
  w.string(10, g.docString);
  for (const v of g.input ?? []) w.message(11, v, writeValueInfo);
  for (const v of g.output ?? []) w.message(12, v, writeValueInfo);
}

/** Serialises an ONNX ModelProto (the fields the converter sets). */
export function encodeModelProto(m: IModelProto): Uint8Array {
  const w = new Writer();
  w.int(1, m.irVersion);
  w.string(2, m.producerName);
  w.string(3, m.producerVersion);
  w.string(4, m.domain);
  w.int(5, m.modelVersion);
  w.string(6, m.docString);
  if (m.graph) w.message(7, m.graph, writeGraph);
  for (const opset of m.opsetImport ?? []) {
    w.message(8, opset, (ow, o) => {
      // The default domain is the empty string, which must still be written for clarity.
      ow.bytes(1, utf8.encode(o.domain ?? ''));
      ow.int(2, o.version);
    });
  }
  for (const entry of m.metadataProps ?? []) {
    w.message(14, entry, (ew, e) => {
      ew.string(1, e.key);
      ew.string(2, e.value);
    });
  }
  return w.finish();
}
