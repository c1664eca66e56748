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
const [CRC64_HIGH, CRC64_LOW] = (() => {
  const high = new Uint32Array(256);
  const low = new Uint32Array(256);
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
  return [high, low];
})();

/** CRC-64 as 8 little-endian bytes, the way xz stores it. */
export function crc64(data: Uint8Array): Uint8Array {
  let high = 0xffffffff;
  let low = 0xffffffff;
  for (let i = 0; i < data.length; i++) {
    const index = (low ^ (data[i] as number)) & 0xff;
    low = (CRC64_LOW[index] as number) ^ ((low >>> 8) | (high << 24));
    high = (CRC64_HIGH[index] as number) ^ (high >>> 8);
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
