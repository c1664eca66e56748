/**
 * Why an xz or lzma file could not be decoded. decompress.ts turns these into the reader's
 * user-facing errors; this folder stays free of app imports so it can be tested on its own.
 */
export type LzmaFailure =
  /** The output would pass the caller's byte limit (a large model or a decompression bomb). */
  | 'too-large'
  /** The input ends before the compressed data does. */
  | 'truncated'
  /** The data breaks the format: bad header, bad chunk, checksum mismatch, impossible match. */
  | 'corrupt'
  /** A valid file using a feature ModelDock does not decode (a BCJ or delta filter, an unknown check). */
  | 'unsupported';

export class LzmaError extends Error {
  constructor(
    readonly reason: LzmaFailure,
    message: string,
  ) {
    super(message);
    this.name = 'LzmaError';
  }
}

export function corruptData(message: string): LzmaError {
  return new LzmaError('corrupt', message);
}

export function truncatedData(): LzmaError {
  return new LzmaError('truncated', 'the compressed data ends too early');
}
