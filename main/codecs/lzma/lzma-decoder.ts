import { corruptData } from './lzma-error.ts';
import type { OutputBuffer } from './output-buffer.ts';
import { PROB_INIT, type RangeDecoder } from './range-decoder.ts';

/** lc/lp/pb: literal context bits, literal position bits, position bits (the LZMA "properties"). */
export interface LzmaProperties {
  lc: number;
  lp: number;
  pb: number;
}

/** Splits the properties byte, (pb * 5 + lp) * 9 + lc; undefined when it is out of range. */
export function parsePropertiesByte(byte: number): LzmaProperties | undefined {
  if (byte >= 9 * 5 * 5) return undefined;
  return { lc: byte % 9, lp: Math.floor(byte / 9) % 5, pb: Math.floor(byte / 45) };
}

// Offsets of each probability model in one Uint16Array (layout of LZMA SDK's LzmaSpec.cpp).
const STATES = 12;
const POS_STATES_MAX = 16;
const IS_MATCH = 0;
const IS_REP = IS_MATCH + STATES * POS_STATES_MAX;
const IS_REP_G0 = IS_REP + STATES;
const IS_REP_G1 = IS_REP_G0 + STATES;
const IS_REP_G2 = IS_REP_G1 + STATES;
const IS_REP0_LONG = IS_REP_G2 + STATES;
const POS_SLOT = IS_REP0_LONG + STATES * POS_STATES_MAX; // 4 length states × 64 slots
const SPEC_POS = POS_SLOT + 4 * 64; // distances of slots 4..13: 1 + 128 - 14 models
const ALIGN = SPEC_POS + 115; // the 4 low bits of large distances
// A length model: choice, choice2, low[16][8], mid[16][8], high[256].
const LEN_CHOICE2 = 1;
const LEN_LOW = 2;
const LEN_MID = LEN_LOW + POS_STATES_MAX * 8;
const LEN_HIGH = LEN_MID + POS_STATES_MAX * 8;
const LEN_MODEL_SIZE = LEN_HIGH + 256;
const MATCH_LEN = ALIGN + 16;
const REP_LEN = MATCH_LEN + LEN_MODEL_SIZE;
const LITERAL = REP_LEN + LEN_MODEL_SIZE;

const MATCH_MIN_LEN = 2;
/** The distance an end-of-payload marker carries. */
const END_MARKER = 0xffffffff;

/**
 * The LZMA1 symbol decoder: literals, matches and repeated matches, written straight into the
 * OutputBuffer, which is also the dictionary. State and probabilities persist between calls so
 * LZMA2 chunks can continue one another.
 */
export class LzmaDecoder {
  private readonly probs: Uint16Array;
  private readonly lc: number;
  private readonly lpMask: number;
  private readonly pbMask: number;
  private state = 0;
  private rep0 = 0;
  private rep1 = 0;
  private rep2 = 0;
  private rep3 = 0;

  constructor(readonly properties: LzmaProperties) {
    this.lc = properties.lc;
    this.lpMask = (1 << properties.lp) - 1;
    this.pbMask = (1 << properties.pb) - 1;
    this.probs = new Uint16Array(LITERAL + (0x300 << (properties.lc + properties.lp)));
    this.resetState();
  }

  /** Back to the initial state: all probabilities one half, no previous distances. */
  resetState(): void {
    this.probs.fill(PROB_INIT);
    this.state = 0;
    this.rep0 = this.rep1 = this.rep2 = this.rep3 = 0;
  }

  /**
   * Decodes until the output reaches `end` or an end marker is read (true). Matches may reach
   * back to `dictStart` (where the dictionary was last reset), never further; a match that would
   * pass `end`, or an end marker where `allowEndMarker` is false, is corrupt data.
   */
  decode(
    rc: RangeDecoder,
    out: OutputBuffer,
    dictStart: number,
    end: number,
    allowEndMarker: boolean,
  ): boolean {
    const probs = this.probs;
    const lc = this.lc;
    const literalShift = 8 - lc;
    const lpMask = this.lpMask;
    const pbMask = this.pbMask;
    let { state, rep0, rep1, rep2, rep3 } = this;
    let buf = out.bytes;
    let pos = out.length;
    let sawEndMarker = false;

    while (pos < end) {
      const dictPos = pos - dictStart;
      const posState = dictPos & pbMask;
      if (rc.bit(probs, IS_MATCH + (state << 4) + posState) === 0) {
        if (pos >= buf.length) {
          out.length = pos;
          out.reserve(1);
          buf = out.bytes;
        }
        const previous = dictPos > 0 ? (buf[pos - 1] as number) : 0;
        const base = LITERAL + 0x300 * (((dictPos & lpMask) << lc) + (previous >> literalShift));
        // After a match, the byte at rep0 predicts this one.
        const literal =
          state >= 7
            ? rc.matchedLiteral(probs, base, buf[pos - rep0 - 1] as number)
            : rc.bitTree(probs, base, 8);
        buf[pos++] = literal;
        state = state < 4 ? 0 : state < 10 ? state - 3 : state - 6;
        continue;
      }

      let len: number;
      if (rc.bit(probs, IS_REP + state) === 0) {
        len = this.decodeLength(rc, MATCH_LEN, posState);
        state = state < 7 ? 7 : 10;
        const distance = this.decodeDistance(rc, len);
        if (distance === END_MARKER) {
          if (!allowEndMarker) throw corruptData('an LZMA2 chunk holds an end marker');
          sawEndMarker = true;
          break;
        }
        rep3 = rep2;
        rep2 = rep1;
        rep1 = rep0;
        rep0 = distance;
      } else {
        if (rc.bit(probs, IS_REP_G0 + state) === 0) {
          if (rc.bit(probs, IS_REP0_LONG + (state << 4) + posState) === 0) {
            // A "short rep": one byte from distance rep0.
            if (rep0 >= dictPos) throw corruptData('a match reaches before the start of the data');
            if (pos >= buf.length) {
              out.length = pos;
              out.reserve(1);
              buf = out.bytes;
            }
            state = state < 7 ? 9 : 11;
            buf[pos] = buf[pos - rep0 - 1] as number;
            pos++;
            continue;
          }
        } else {
          let distance: number;
          if (rc.bit(probs, IS_REP_G1 + state) === 0) {
            distance = rep1;
          } else {
            if (rc.bit(probs, IS_REP_G2 + state) === 0) {
              distance = rep2;
            } else {
              distance = rep3;
              rep3 = rep2;
            }
            rep2 = rep1;
          }
          rep1 = rep0;
          rep0 = distance;
        }
        len = this.decodeLength(rc, REP_LEN, posState);
        state = state < 7 ? 8 : 11;
      }

      len += MATCH_MIN_LEN;
      if (rep0 >= dictPos) throw corruptData('a match reaches before the start of the data');
      if (pos + len > end) throw corruptData('a match runs past the declared size');
      if (pos + len > buf.length) {
        out.length = pos;
        out.reserve(len);
        buf = out.bytes;
      }
      let from = pos - rep0 - 1;
      if (len >= 32) {
        copyMatch(buf, from, pos, len);
        pos += len;
      } else {
        // Overlapping copies repeat the last rep0 + 1 bytes: copy byte by byte.
        for (const stop = pos + len; pos < stop; ) buf[pos++] = buf[from++] as number;
      }
    }

    out.length = pos;
    this.state = state;
    this.rep0 = rep0;
    this.rep1 = rep1;
    this.rep2 = rep2;
    this.rep3 = rep3;
    return sawEndMarker;
  }

  /**
   * Reads the end marker that must follow when the output reached a size the header declared but
   * the range coder still holds data (LZMA SDK: "finished with marker").
   */
  readEndMarker(rc: RangeDecoder, dictPos: number): void {
    const posState = dictPos & this.pbMask;
    if (rc.bit(this.probs, IS_MATCH + (this.state << 4) + posState) === 0) throw trailingData();
    if (rc.bit(this.probs, IS_REP + this.state) !== 0) throw trailingData();
    const len = this.decodeLength(rc, MATCH_LEN, posState);
    if (this.decodeDistance(rc, len) !== END_MARKER) throw trailingData();
  }

  /** A match length minus 2 (0..271). */
  private decodeLength(rc: RangeDecoder, model: number, posState: number): number {
    const probs = this.probs;
    if (rc.bit(probs, model) === 0) return rc.bitTree(probs, model + LEN_LOW + posState * 8, 3);
    if (rc.bit(probs, model + LEN_CHOICE2) === 0)
      return 8 + rc.bitTree(probs, model + LEN_MID + posState * 8, 3);
    return 16 + rc.bitTree(probs, model + LEN_HIGH, 8);
  }

  /** A match distance minus 1 (0..2^32 - 1, where 2^32 - 1 is the end marker). */
  private decodeDistance(rc: RangeDecoder, len: number): number {
    const probs = this.probs;
    const lenState = Math.min(len, 3);
    const slot = rc.bitTree(probs, POS_SLOT + (lenState << 6), 6);
    if (slot < 4) return slot;
    const directBits = (slot >> 1) - 1;
    if (slot < 14) {
      const base = (2 | (slot & 1)) << directBits;
      return base + rc.reverseBitTree(probs, SPEC_POS + base - slot, directBits);
    }
    const base = ((2 | (slot & 1)) << directBits) >>> 0; // up to 3 << 30: kept unsigned
    return base + rc.directBits(directBits - 4) * 16 + rc.reverseBitTree(probs, ALIGN, 4);
  }
}

/**
 * A long match, copied natively: buf[to + i] = buf[from + i] for i < len, in order, so when the match
 * overlaps its own output (len > to - from) the last to - from bytes repeat. Copying byte by byte, runs
 * (a bomb's zeros, a sparse array's) cost a typed-array access a byte; here they take a fill, or
 * copies of a doubling number of whole periods.
 */
export function copyMatch(buf: Uint8Array, from: number, to: number, len: number): void {
  const period = to - from;
  if (period >= len) {
    buf.copyWithin(to, from, from + len);
    return;
  }
  if (period === 1) {
    buf.fill(buf[from] as number, to, to + len);
    return;
  }
  // buf[from, to + copied) repeats with this period and `copied` stays a multiple of it, so each copy
  // from `from` lines up with the pattern and never overlaps what it writes.
  for (let copied = 0; copied < len; ) {
    const count = Math.min(len - copied, period + copied);
    buf.copyWithin(to + copied, from, from + count);
    copied += count;
  }
}

function trailingData() {
  return corruptData('the data goes on past the size the header declares');
}
