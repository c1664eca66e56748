import { LzmaError } from './lzma-error.ts';

/** Past this size a growing buffer grows by this much at a time rather than doubling (see grow()). */
const GROWTH_STEP = 64 * 1024 * 1024;

export function tooLarge(limit: number): LzmaError {
  return new LzmaError('too-large', `the output would exceed ${limit} bytes`);
}

/**
 * The decoded bytes so far. It doubles as the LZMA dictionary: matches copy from earlier output, so no
 * separate window (whose size a header could set to 4 GiB) is ever allocated.
 *
 * Memory is the output's own size and no more (issue 18: any file within 1.3 GB of peak RSS, with a
 * 1 GiB limit on the output). A buffer that grew by copying held 1.5× the output at its last doubling:
 * 1.8 GB for a 1.1 GiB lzma bomb, 1.65 GB for a legitimate file of 1000 MB. So:
 * - a size the file declares (an xz index, an lzma-alone header) is allocated once, exactly, and the data
 *   producing more than it is damage, not a reason to grow;
 * - an unknown size grows in place, in a resizable ArrayBuffer whose maximum is the limit: the engine
 *   reserves address space for the maximum and commits memory only as the buffer grows, and growing
 *   never copies. That is one decoding pass, where counting the size first would decode everything twice
 *   (a 200 MB joblib model takes ~4 s of CPU a pass).
 */
export class OutputBuffer {
  bytes: Uint8Array;
  length = 0;

  private constructor(
    /** The most bytes this buffer will ever hold. */
    readonly limit: number,
    bytes: Uint8Array,
    /** Set when the size is unknown: the buffer that grows in place. */
    private readonly growable: ArrayBuffer | undefined,
    /** What passing `limit` means: a file over the caller's limit, or data longer than it declares. */
    private readonly overflow: () => LzmaError,
  ) {
    this.bytes = bytes;
  }

  /** Exactly `size` bytes (already checked against the caller's limit); more data throws `overflow`. */
  static exactly(size: number, overflow: () => LzmaError): OutputBuffer {
    return new OutputBuffer(size, new Uint8Array(size), undefined, overflow);
  }

  /**
   * Up to `limit` bytes of a size nobody declared. `sizeHint` (the compressed size: right for
   * incompressible data) only sets where growing starts.
   */
  static upTo(limit: number, sizeHint: number): OutputBuffer {
    const initial = Math.max(0, Math.min(limit, Math.max(sizeHint, 64 * 1024)));
    const growable = new ArrayBuffer(initial, { maxByteLength: limit });
    return new OutputBuffer(limit, new Uint8Array(growable, 0, initial), growable, () => tooLarge(limit));
  }

  /** Throws unless `count` more bytes fit, without making room for them. */
  checkRoom(count: number): void {
    if (this.length + count > this.limit) throw this.overflow();
  }

  /** Makes room for `count` more bytes; throws if that would pass the limit. */
  reserve(count: number): void {
    const needed = this.length + count;
    if (needed <= this.bytes.length) return;
    if (needed > this.limit || !this.growable) throw this.overflow();
    this.grow(needed);
  }

  append(data: Uint8Array): void {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
  }

  /** The decoded bytes; for a growing buffer, a view of its first `length` bytes. */
  result(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }

  // Doubling while small, then steps of GROWTH_STEP: memory committed but never written stays under
  // one step. The buffer is never shrunk to the final length: V8 zero-fills what a shrink releases,
  // touching pages never written (a 100 MB result in a 1 GiB buffer peaked at 1 GB).
  private grow(needed: number): void {
    const current = this.bytes.length;
    const size = Math.min(this.limit, Math.max(needed, current + Math.min(current, GROWTH_STEP)));
    const growable = this.growable as ArrayBuffer;
    growable.resize(size);
    this.bytes = new Uint8Array(growable, 0, size);
  }
}
