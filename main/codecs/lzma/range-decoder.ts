import { corruptData, truncatedData } from './lzma-error.ts';

/** Probabilities are 11-bit fixed point; every model starts at one half. */
export const PROB_INIT = 1024;
const TOP = 0x1000000; // below this the range is refilled with the next input byte

/**
 * The LZMA range decoder (LZMA SDK's LzmaSpec.cpp). `range` and `code` are unsigned 32-bit
 * values kept as plain numbers, so no comparison ever sees a sign bit. Every refill reads one
 * input byte and fails once `end` is passed: decoding garbage cannot run past its input.
 */
export class RangeDecoder {
  private range = 0xffffffff;
  private code: number;
  private pos: number;

  constructor(
    private readonly input: Uint8Array,
    start: number,
    private readonly end: number,
    /** True when `end` is the end of the file (running out = truncated), false for a sized chunk. */
    private readonly endIsEndOfFile: boolean,
  ) {
    if (end - start < 5) throw this.outOfInput();
    if (input[start] !== 0) throw corruptData('a range-coded block does not start with a zero byte');
    this.code = (input[start + 1] as number) * 0x1000000 + ((input[start + 2] as number) << 16);
    this.code += ((input[start + 3] as number) << 8) | (input[start + 4] as number);
    if (this.code === this.range) throw corruptData('a range-coded block starts with an impossible code');
    this.pos = start + 5;
  }

  /** The input offset of the next unread byte. */
  get position(): number {
    return this.pos;
  }

  /** A well-formed range-coded block ends with code 0 (the encoder flushed all of its state). */
  get finishedCleanly(): boolean {
    return this.code === 0;
  }

  private outOfInput(): Error {
    return this.endIsEndOfFile ? truncatedData() : corruptData('a chunk needs more bytes than it declares');
  }

  private refill(): void {
    if (this.pos >= this.end) throw this.outOfInput();
    this.range *= 256;
    this.code = this.code * 256 + (this.input[this.pos++] as number);
  }

  /** One bit under the adaptive probability probs[index], which it then updates. */
  bit(probs: Uint16Array, index: number): number {
    const p = probs[index] as number;
    const bound = (this.range >>> 11) * p;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = p + ((2048 - p) >>> 5);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[index] = p - (p >>> 5);
      bit = 1;
    }
    if (this.range < TOP) this.refill();
    return bit;
  }

  // bitTree, reverseBitTree, matchedLiteral and directBits repeat bit()'s arithmetic on local
  // copies of range and code: they decode every literal, length and distance, and locals make
  // LZMA decoding about 15% faster than calling bit() in a loop.

  /** A `bits`-bit number, most significant bit first, under the tree of probabilities at `base`. */
  bitTree(probs: Uint16Array, base: number, bits: number): number {
    let range = this.range;
    let code = this.code;
    let m = 1;
    for (let i = 0; i < bits; i++) {
      const index = base + m;
      const p = probs[index] as number;
      const bound = (range >>> 11) * p;
      if (code < bound) {
        range = bound;
        probs[index] = p + ((2048 - p) >>> 5);
        m <<= 1;
      } else {
        range -= bound;
        code -= bound;
        probs[index] = p - (p >>> 5);
        m = (m << 1) | 1;
      }
      if (range < TOP) {
        if (this.pos >= this.end) throw this.outOfInput();
        range *= 256;
        code = code * 256 + (this.input[this.pos++] as number);
      }
    }
    this.range = range;
    this.code = code;
    return m - (1 << bits);
  }

  /** The same tree read least significant bit first (distance low bits). */
  reverseBitTree(probs: Uint16Array, base: number, bits: number): number {
    let range = this.range;
    let code = this.code;
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const index = base + m;
      const p = probs[index] as number;
      const bound = (range >>> 11) * p;
      if (code < bound) {
        range = bound;
        probs[index] = p + ((2048 - p) >>> 5);
        m <<= 1;
      } else {
        range -= bound;
        code -= bound;
        probs[index] = p - (p >>> 5);
        m = (m << 1) | 1;
        symbol |= 1 << i;
      }
      if (range < TOP) {
        if (this.pos >= this.end) throw this.outOfInput();
        range *= 256;
        code = code * 256 + (this.input[this.pos++] as number);
      }
    }
    this.range = range;
    this.code = code;
    return symbol;
  }

  /**
   * A literal byte decoded against `matchByte`, the byte at the last match distance: while their bits
   * agree the models at base + 0x100 (predicted 0) or base + 0x200 (predicted 1) are used, after the
   * first difference the plain ones at base (liblzma's formulation, which needs a single loop).
   */
  matchedLiteral(probs: Uint16Array, base: number, matchByte: number): number {
    let range = this.range;
    let code = this.code;
    let symbol = 1;
    let offset = 0x100;
    let shifted = matchByte;
    do {
      shifted <<= 1;
      const matchBit = shifted & offset;
      const index = base + offset + matchBit + symbol;
      const p = probs[index] as number;
      const bound = (range >>> 11) * p;
      if (code < bound) {
        range = bound;
        probs[index] = p + ((2048 - p) >>> 5);
        symbol <<= 1;
        offset &= ~matchBit;
      } else {
        range -= bound;
        code -= bound;
        probs[index] = p - (p >>> 5);
        symbol = (symbol << 1) | 1;
        offset &= matchBit;
      }
      if (range < TOP) {
        if (this.pos >= this.end) throw this.outOfInput();
        range *= 256;
        code = code * 256 + (this.input[this.pos++] as number);
      }
    } while (symbol < 0x100);
    this.range = range;
    this.code = code;
    return symbol & 0xff;
  }

  /** `count` (at most 26) bits with a fixed probability of one half. */
  directBits(count: number): number {
    let range = this.range;
    let code = this.code;
    let result = 0;
    for (let i = 0; i < count; i++) {
      range >>>= 1;
      let bit = 0;
      if (code >= range) {
        code -= range;
        bit = 1;
      }
      result = result * 2 + bit;
      if (range < TOP) {
        if (this.pos >= this.end) throw this.outOfInput();
        range *= 256;
        code = code * 256 + (this.input[this.pos++] as number);
      }
    }
    this.range = range;
    this.code = code;
    return result;
  }
}
