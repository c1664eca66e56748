import { crc32, crc64, sha256 } from './checksums.ts';
import { corruptData, LzmaError, truncatedData } from './lzma-error.ts';
import { decodeLzma2 } from './lzma2.ts';
import { OutputBuffer, tooLarge } from './output-buffer.ts';

// The .xz container, xz-file-format 1.0.4: streams (header, blocks, index, footer) separated by
// stream padding. Only the LZMA2 filter is decoded; that is all Python's lzma and joblib write.

const STREAM_MAGIC = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const FOOTER_MAGIC = [0x59, 0x5a];
const LZMA2_FILTER = 0x21;
/** Filters xz defines that ModelDock does not decode, named for the error message. */
const OTHER_FILTERS: Record<number, string> = {
  3: 'delta',
  4: 'x86 BCJ',
  5: 'PowerPC BCJ',
  6: 'IA-64 BCJ',
  7: 'ARM BCJ',
  8: 'ARM-Thumb BCJ',
  9: 'SPARC BCJ',
  10: 'ARM64 BCJ',
  11: 'RISC-V BCJ',
};
const CHECK_NONE = 0;
const CHECK_CRC32 = 1;
const CHECK_CRC64 = 4;
const CHECK_SHA256 = 10;

/**
 * Decodes a whole .xz file (one or more streams), never outputting more than maxBytes. The index at
 * the end of each stream declares every block's size: a total over maxBytes is refused before any
 * decoding, and one within it is allocated exactly, once. An index can lie, so it is checked against
 * the data as it decodes (more output than declared is damage). Without a readable index (a damaged
 * file) the output grows in place up to maxBytes, and decoding finds what is wrong.
 */
export function decodeXz(bytes: Uint8Array, maxBytes: number): Uint8Array {
  const declared = xzDeclaredSize(bytes);
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  const out =
    declared === undefined
      ? OutputBuffer.upTo(maxBytes, bytes.length)
      : OutputBuffer.exactly(declared, () => corruptData('the xz data holds more than its index declares'));
  let p = 0;
  do {
    p = decodeStream(bytes, p, out);
    const paddingStart = p;
    while (p < bytes.length && bytes[p] === 0) p++;
    if ((p - paddingStart) % 4 !== 0) throw corruptData('the stream padding is not a multiple of four bytes');
  } while (p < bytes.length);
  // Each stream's blocks were checked against its index; this catches an index read differently above.
  if (declared !== undefined && out.length !== declared) {
    throw corruptData('the xz data holds less than its index declares');
  }
  return out.result();
}

/** Streams xzDeclaredSize walks back through before giving up (and leaving the size unknown). */
const MAX_STREAMS_READ_BACK = 1000;

/**
 * The uncompressed size the xz index declares, summed over the file's streams, read backwards from
 * the footer (xz file format 1.0.4, sections 2.1.2 and 4). undefined if the layout is not what the
 * format promises; decoding then reports the damage.
 */
export function xzDeclaredSize(bytes: Uint8Array): number | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length;
  let total = 0;
  for (let streams = 0; end > 0; streams++) {
    if (streams === MAX_STREAMS_READ_BACK) return undefined;
    while (end >= 4 && view.getUint32(end - 4, true) === 0) end -= 4; // stream padding
    if (end < 24 || bytes[end - 2] !== 0x59 || bytes[end - 1] !== 0x5a) return undefined;
    const indexSize = (view.getUint32(end - 8, true) + 1) * 4;
    const indexStart = end - 12 - indexSize;
    if (indexStart < 12 || bytes[indexStart] !== 0) return undefined;
    let p = indexStart + 1;
    const varint = (): number => {
      let value = 0;
      let shift = 1;
      for (let i = 0; i < 9; i++) {
        const byte = bytes[p++];
        if (byte === undefined) return Number.NaN;
        value += (byte & 0x7f) * shift;
        if (!(byte & 0x80)) return value;
        shift *= 128;
      }
      return Number.NaN;
    };
    const records = varint();
    let blocks = 0;
    for (let r = 0; r < records && p < end; r++) {
      const unpadded = varint();
      const uncompressed = varint();
      if (!Number.isFinite(unpadded) || !Number.isFinite(uncompressed)) return undefined;
      blocks += Math.ceil(unpadded / 4) * 4;
      total += uncompressed;
    }
    end = indexStart - blocks - 12;
    if (end < 0) return undefined;
  }
  return total;
}

/** Reads bytes and xz variable-length integers, failing cleanly at `end`. */
class ByteReader {
  constructor(
    readonly bytes: Uint8Array,
    public pos: number,
    private readonly end: number,
    private readonly endIsEndOfFile: boolean,
  ) {}

  need(count: number): void {
    if (this.pos + count > this.end) {
      throw this.endIsEndOfFile ? truncatedData() : corruptData('an xz header field runs past its header');
    }
  }

  byte(): number {
    this.need(1);
    return this.bytes[this.pos++] as number;
  }

  uint32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (
      ((b[p] as number) | ((b[p + 1] as number) << 8) | ((b[p + 2] as number) << 16)) +
      (b[p + 3] as number) * 0x1000000
    );
  }

  /** A multibyte integer: 7 bits a byte, least significant first, at most 9 bytes, no trailing zero byte. */
  varint(): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 9; i++) {
      const byte = this.byte();
      if (i > 0 && byte === 0) throw corruptData('an xz integer is not minimally encoded');
      value += (byte & 0x7f) * scale;
      if (!(byte & 0x80)) {
        if (value > Number.MAX_SAFE_INTEGER) throw corruptData('an xz integer is too large');
        return value;
      }
      scale *= 128;
    }
    throw corruptData('an xz integer is longer than 9 bytes');
  }

  /** Skips zero bytes up to a multiple of four from `alignedFrom`. */
  zeroPadding(alignedFrom: number, what: string): void {
    while ((this.pos - alignedFrom) % 4 !== 0) {
      if (this.byte() !== 0) throw corruptData(`the ${what} padding is not zero`);
    }
  }

  matches(expected: readonly number[]): boolean {
    this.need(expected.length);
    const ok = expected.every((b, i) => this.bytes[this.pos + i] === b);
    this.pos += expected.length;
    return ok;
  }
}

interface IndexRecord {
  unpaddedSize: number;
  uncompressedSize: number;
}

function decodeStream(bytes: Uint8Array, start: number, out: OutputBuffer): number {
  const r = new ByteReader(bytes, start, bytes.length, true);
  if (!r.matches(STREAM_MAGIC)) throw corruptData('an xz stream does not start with the xz magic bytes');
  r.need(6);
  const flags = bytes.subarray(r.pos, r.pos + 2);
  r.pos += 2;
  if (r.uint32() !== crc32(flags)) throw corruptData('the xz stream header checksum does not match');
  if (flags[0] !== 0 || (flags[1] as number) & 0xf0)
    throw new LzmaError('unsupported', 'unknown xz stream flags');
  const checkId = (flags[1] as number) & 0x0f;
  if (![CHECK_NONE, CHECK_CRC32, CHECK_CRC64, CHECK_SHA256].includes(checkId)) {
    throw new LzmaError('unsupported', `xz check type ${checkId} is not supported`);
  }

  const records: IndexRecord[] = [];
  for (;;) {
    r.need(1);
    if (bytes[r.pos] === 0) break; // the index indicator
    records.push(decodeBlock(r, out, checkId));
  }

  const indexStart = r.pos++;
  const count = r.varint();
  if (count !== records.length) throw corruptData('the xz index does not list the blocks the stream holds');
  for (const record of records) {
    if (r.varint() !== record.unpaddedSize || r.varint() !== record.uncompressedSize) {
      throw corruptData('the xz index does not match the blocks');
    }
  }
  r.zeroPadding(indexStart, 'index');
  const indexCrc = crc32(bytes.subarray(indexStart, r.pos));
  if (r.uint32() !== indexCrc) throw corruptData('the xz index checksum does not match');
  const indexSize = r.pos - indexStart;

  const footerCrc = r.uint32();
  r.need(6);
  if (footerCrc !== crc32(bytes.subarray(r.pos, r.pos + 6))) {
    throw corruptData('the xz stream footer checksum does not match');
  }
  if ((r.uint32() + 1) * 4 !== indexSize) throw corruptData('the xz footer does not point at the index');
  if (r.byte() !== flags[0] || r.byte() !== flags[1])
    throw corruptData('the xz footer flags differ from the header');
  if (!r.matches(FOOTER_MAGIC)) throw corruptData('an xz stream does not end with the footer magic bytes');
  return r.pos;
}

function decodeBlock(r: ByteReader, out: OutputBuffer, checkId: number): IndexRecord {
  const bytes = r.bytes;
  const blockStart = r.pos;
  const headerSize = (r.byte() + 1) * 4;
  r.pos = blockStart;
  r.need(headerSize);
  const headerEnd = blockStart + headerSize - 4;
  const headerCrc = bytes[headerEnd] as number;
  const storedCrc =
    (headerCrc | ((bytes[headerEnd + 1] as number) << 8) | ((bytes[headerEnd + 2] as number) << 16)) +
    (bytes[headerEnd + 3] as number) * 0x1000000;
  if (storedCrc !== crc32(bytes.subarray(blockStart, headerEnd))) {
    throw corruptData('an xz block header checksum does not match');
  }

  const h = new ByteReader(bytes, blockStart + 1, headerEnd, false);
  const blockFlags = h.byte();
  if (blockFlags & 0x3c) throw new LzmaError('unsupported', 'an xz block header uses reserved flags');
  const filterCount = (blockFlags & 0x03) + 1;
  const compressedSize = blockFlags & 0x40 ? h.varint() : undefined;
  const uncompressedSize = blockFlags & 0x80 ? h.varint() : undefined;
  if (compressedSize === 0) throw corruptData('an xz block declares no compressed data');
  for (let i = 0; i < filterCount; i++) {
    const id = h.varint();
    const propertiesSize = h.varint();
    h.need(propertiesSize);
    if (id !== LZMA2_FILTER) {
      const name = OTHER_FILTERS[id] ?? `0x${id.toString(16)}`;
      throw new LzmaError(
        'unsupported',
        `it uses the ${name} filter, and ModelDock reads only plain LZMA2 (what Python and joblib write)`,
      );
    }
    if (propertiesSize !== 1 || (bytes[h.pos] as number) > 40) {
      throw corruptData('the LZMA2 filter properties are invalid');
    }
    h.pos += propertiesSize;
  }
  if (filterCount !== 1) throw corruptData('the xz filter chain repeats LZMA2');
  while (h.pos < headerEnd) {
    if (h.byte() !== 0) throw new LzmaError('unsupported', 'an xz block header has non-zero padding');
  }

  // Refuse a block that says it is too large (or larger than the index says) before decoding any of it.
  if (uncompressedSize !== undefined) out.checkRoom(uncompressedSize);
  const dataStart = blockStart + headerSize;
  const outStart = out.length;
  r.pos = decodeLzma2(bytes, dataStart, out);
  const compressed = r.pos - dataStart;
  const uncompressed = out.length - outStart;
  if (compressedSize !== undefined && compressed !== compressedSize) {
    throw corruptData('an xz block is not the compressed size its header declares');
  }
  if (uncompressedSize !== undefined && uncompressed !== uncompressedSize) {
    throw corruptData('an xz block is not the uncompressed size its header declares');
  }
  r.zeroPadding(blockStart, 'block');
  verifyCheck(r, checkId, out.bytes.subarray(outStart, out.length));
  return { unpaddedSize: headerSize + compressed + checkSize(checkId), uncompressedSize: uncompressed };
}

function checkSize(checkId: number): number {
  return checkId === CHECK_NONE ? 0 : checkId === CHECK_CRC32 ? 4 : checkId === CHECK_CRC64 ? 8 : 32;
}

function verifyCheck(r: ByteReader, checkId: number, data: Uint8Array): void {
  if (checkId === CHECK_NONE) return;
  if (checkId === CHECK_CRC32) {
    if (r.uint32() !== crc32(data)) throw corruptData('an xz block fails its CRC32 check');
    return;
  }
  const expected = checkId === CHECK_CRC64 ? crc64(data) : sha256(data);
  if (!r.matches(Array.from(expected))) {
    throw corruptData(`an xz block fails its ${checkId === CHECK_CRC64 ? 'CRC64' : 'SHA-256'} check`);
  }
}
