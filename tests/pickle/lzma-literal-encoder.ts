/**
 * A minimal LZMA encoder for tests: every byte is coded as a literal, and the stream ends at the
 * size the header declares, with no end marker. That is how the LZMA SDK's own .lzma files end,
 * which Python's lzma cannot write. The range encoder is LZMA SDK's (LzmaEnc.c, RangeEnc_*).
 */
export function encodeLiteralsOnly(data: Uint8Array, lc = 3, lp = 0, pb = 2): Uint8Array {
  const out: number[] = [];
  let low = 0; // up to 33 bits: bit 32 is a carry into bytes already counted in cacheSize
  let range = 0xffffffff;
  let cache = 0;
  let cacheSize = 1;
  const shiftLow = () => {
    const low32 = low >>> 0;
    if (low32 < 0xff000000 || low >= 2 ** 32) {
      const carry = low >= 2 ** 32 ? 1 : 0;
      let temp = cache;
      do {
        out.push((temp + carry) & 0xff);
        temp = 0xff;
      } while (--cacheSize !== 0);
      cache = low32 >>> 24;
    }
    cacheSize++;
    low = (low32 & 0xffffff) * 256;
  };
  const encodeBit = (probs: Uint16Array, index: number, bit: number) => {
    const p = probs[index] as number;
    const bound = (range >>> 11) * p;
    if (bit === 0) {
      range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
    } else {
      low += bound;
      range -= bound;
      probs[index] = p - (p >>> 5);
    }
    while (range < 0x1000000) {
      range *= 256;
      shiftLow();
    }
  };

  // Only literals: the state stays 0, so only the is-match and plain literal models are used.
  const isMatch = new Uint16Array(16).fill(1024);
  const literal = new Uint16Array(0x300 << (lc + lp)).fill(1024);
  for (let i = 0; i < data.length; i++) {
    encodeBit(isMatch, i & ((1 << pb) - 1), 0);
    const previous = i > 0 ? (data[i - 1] as number) : 0;
    const base = 0x300 * (((i & ((1 << lp) - 1)) << lc) + (previous >> (8 - lc)));
    let symbol = 1;
    for (let k = 7; k >= 0; k--) {
      const bit = ((data[i] as number) >> k) & 1;
      encodeBit(literal, base + symbol, bit);
      symbol = (symbol << 1) | bit;
    }
  }
  for (let i = 0; i < 5; i++) shiftLow();

  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  header[0] = (pb * 5 + lp) * 9 + lc;
  view.setUint32(1, 1 << 16, true);
  view.setUint32(5, data.length, true);
  return Uint8Array.from([...header, ...out]);
}
