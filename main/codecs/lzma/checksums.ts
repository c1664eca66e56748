import { createHash } from 'node:crypto';

// Table-driven CRCs (reflected, as in xz and zlib). CRC-64 (ECMA-182, xz's "CRC64" check) is
// kept as two 32-bit halves so it runs on plain numbers instead of BigInt.

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c;
  }
  return table;
})();

export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    crc = (CRC32_TABLE[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const CRC64_POLY_HIGH = 0xc96c5795;
const CRC64_POLY_LOW = 0xd7870f42;
// Slicing-by-8 (liblzma's crc64_fast.c): table t (entries t * 256 to t * 256 + 255) holds the CRC of a byte
// followed by t zero bytes, so eight bytes are folded in at once from eight independent lookups. CRC-64 is
// xz's default check, the one joblib files carry; a byte at a time it was most of decoding a large xz file
// (2.4 s of CPU per GB), this takes two thirds of that.
const [CRC64_HIGH, CRC64_LOW] = (() => {
  const high = new Uint32Array(8 * 256);
  const low = new Uint32Array(8 * 256);
  for (let i = 0; i < 256; i++) {
    let h = 0;
    let l = i;
    for (let k = 0; k < 8; k++) {
      const carry = l & 1;
      l = ((l >>> 1) | (h << 31)) >>> 0;
      h >>>= 1;
      if (carry) {
        h = (h ^ CRC64_POLY_HIGH) >>> 0;
        l = (l ^ CRC64_POLY_LOW) >>> 0;
      }
    }
    high[i] = h;
    low[i] = l;
  }
  for (let i = 256; i < 8 * 256; i++) {
    const h = high[i - 256] as number;
    const l = low[i - 256] as number;
    low[i] = ((low[l & 0xff] as number) ^ ((l >>> 8) | (h << 24))) >>> 0;
    high[i] = ((high[l & 0xff] as number) ^ (h >>> 8)) >>> 0;
  }
  return [high, low];
})();

/** CRC-64 as 8 little-endian bytes, the way xz stores it. */
export function crc64(data: Uint8Array): Uint8Array {
  const H = CRC64_HIGH;
  const L = CRC64_LOW;
  let high = 0xffffffff;
  let low = 0xffffffff;
  let i = 0;
  for (const whole = data.length - (data.length % 8); i < whole; i += 8) {
    const a =
      low ^
      ((data[i] as number) |
        ((data[i + 1] as number) << 8) |
        ((data[i + 2] as number) << 16) |
        ((data[i + 3] as number) << 24));
    const b =
      high ^
      ((data[i + 4] as number) |
        ((data[i + 5] as number) << 8) |
        ((data[i + 6] as number) << 16) |
        ((data[i + 7] as number) << 24));
    // Byte k of the eight is followed by 7 - k more: it is looked up in table 7 - k.
    const t0 = 1792 + (a & 0xff);
    const t1 = 1536 + ((a >>> 8) & 0xff);
    const t2 = 1280 + ((a >>> 16) & 0xff);
    const t3 = 1024 + (a >>> 24);
    const t4 = 768 + (b & 0xff);
    const t5 = 512 + ((b >>> 8) & 0xff);
    const t6 = 256 + ((b >>> 16) & 0xff);
    const t7 = b >>> 24;
    low =
      (L[t0] as number) ^
      (L[t1] as number) ^
      (L[t2] as number) ^
      (L[t3] as number) ^
      (L[t4] as number) ^
      (L[t5] as number) ^
      (L[t6] as number) ^
      (L[t7] as number);
    high =
      (H[t0] as number) ^
      (H[t1] as number) ^
      (H[t2] as number) ^
      (H[t3] as number) ^
      (H[t4] as number) ^
      (H[t5] as number) ^
      (H[t6] as number) ^
      (H[t7] as number);
  }
  for (; i < data.length; i++) {
    const index = (low ^ (data[i] as number)) & 0xff;
    low = (L[index] as number) ^ ((low >>> 8) | (high << 24));
    high = (H[index] as number) ^ (high >>> 8);
  }
  const out = new Uint8Array(8);
  const view = new DataView(out.buffer);
  view.setUint32(0, (low ^ 0xffffffff) >>> 0, true);
  view.setUint32(4, (high ^ 0xffffffff) >>> 0, true);
  return out;
}

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}
