import { LzmaError } from './lzma-error.ts';

/**
 * The decoded bytes so far, in one buffer that grows geometrically but never past `limit`.
 * It doubles as the LZMA dictionary: matches copy from earlier output, so no separate window
 * (whose size a header could set to 4 GiB) is ever allocated.
 */
export class OutputBuffer {
  bytes: Uint8Array;
  length = 0;

  constructor(
    readonly limit: number,
    /**
     * A guess at the final size, trusted only up to `limit`: a size the header declares, or the
     * compressed size (right for incompressible data; doubling then keeps any waste under 2x).
     */
    sizeHint: number,
  ) {
    this.bytes = new Uint8Array(Math.max(0, Math.min(limit, Math.max(sizeHint, 64 * 1024))));
  }

  /** Makes room for `count` more bytes; throws 'too-large' if that would pass the limit. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.bytes.length) return;
    if (needed > this.limit) {
      throw new LzmaError('too-large', `the output would exceed ${this.limit} bytes`);
    }
    const grown = new Uint8Array(Math.min(this.limit, Math.max(needed, this.bytes.length * 2)));
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  append(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}
