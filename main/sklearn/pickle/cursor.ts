import { corrupt } from './pickle-errors.ts';

/**
 * Reads the pickle byte stream front to back. Every read checks the remaining length
 * first, so a declared length larger than the file is reported as truncation before
 * anything is allocated.
 */
export class Cursor {
  pos = 0;
  readonly bytes: Uint8Array;
  private readonly view: DataView;

  constructor(input: Uint8Array) {
    // A plain Uint8Array view: Node Buffers' slice() shares memory, and values must own theirs.
    this.bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    this.view = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  private need(n: number, what: string): void {
    if (n > this.remaining) {
      throw corrupt(`This pickle file is truncated: it ends in the middle of ${what} (byte ${this.pos}).`, {
        offset: this.pos,
        needed: n,
        available: this.remaining,
      });
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.pos++] as number;
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }

  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.pos, true);
    this.pos += 4;
    return v;
  }

  /** An unsigned 64-bit length; anything beyond the file is truncation anyway. */
  u64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }

  f64be(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.pos, false);
    this.pos += 8;
    return v;
  }

  /** A view (no copy) of the next n bytes. */
  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** How many bytes the next protocol-0 text argument has (up to its newline, or to the end). */
  lineLength(): number {
    const end = this.bytes.indexOf(0x0a, this.pos);
    return (end < 0 ? this.bytes.length : end) - this.pos;
  }

  /** A protocol-0 text argument: the bytes up to the next newline, decoded as latin-1. */
  line(what: string): string {
    const end = this.bytes.indexOf(0x0a, this.pos);
    if (end < 0) this.need(this.remaining + 1, what);
    const out = latin1(this.bytes.subarray(this.pos, end));
    this.pos = end + 1;
    return out;
  }
}

/** Bytes as latin-1 text, decoded natively (a JavaScript loop took seconds for a 100 MB BINSTRING). */
export function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
