/**
 * Safe loading of scikit-learn pickles and joblib files: the bytes are interpreted by a
 * hand-written pickle machine that only builds inert data (see py-values.ts) and refuses
 * every global outside a fixed allow-list. Nothing in a file is ever imported or run.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAppError } from '../../errors.ts';
import { Cursor } from './cursor.ts';
import { decompress, detectCompression, inflateExactly } from './decompress.ts';
import { looksLikeHeaderlessPickle } from './headerless.ts';
import { defaultLimits, type LoadLimits, resolveLimits } from './limits.ts';
import { corrupt, refused } from './pickle-errors.ts';
import type { PyValue } from './py-values.ts';
import { type LoadBudget, Unpickler } from './unpickler.ts';
import { checkValueGraph } from './value-graph.ts';

export type { LoadLimits } from './limits.ts';
export * from './py-values.ts';
export { defaultLimits };

const MiB = 1024 * 1024;

function checkSize(bytes: number, limits: LoadLimits): void {
  if (bytes > limits.maxFileBytes) {
    throw refused(
      `refused: the file is ${Math.ceil(bytes / MiB)} MB, more than the ${Math.round(limits.maxFileBytes / MiB)} MB limit for one model`,
      { limit: 'maxFileBytes', bytes },
    );
  }
}

/** Reads a pickle or joblib file (any compression) into inert values; never runs code. */
export async function loadPickleFile(path: string, limits?: Partial<LoadLimits>): Promise<PyValue> {
  const resolved = resolveLimits(limits);
  checkSize((await stat(path)).size, resolved);
  const bytes = await readFile(path);
  const compression = bytes[0] === 0x80 ? null : detectCompression(bytes);
  if (compression === 'zlib' || compression === 'gzip') {
    return loadStream(await inflateExactly(bytes, compression, resolved.maxFileBytes), resolved);
  }
  return loadPickleBytes(bytes, resolved);
}

/** Same as loadPickleFile for bytes already in memory; joblib compression is detected too. */
export function loadPickleBytes(bytes: Uint8Array, limits?: Partial<LoadLimits>): PyValue {
  const resolved = resolveLimits(limits);
  checkSize(bytes.length, resolved);
  if (bytes.length === 0) throw corrupt('This pickle file is empty: it has no bytes to read.');
  const compression = bytes[0] === 0x80 ? null : detectCompression(bytes);
  return loadStream(compression ? decompress(bytes, compression, resolved.maxFileBytes) : bytes, resolved);
}

function loadStream(stream: Uint8Array, resolved: LoadLimits): PyValue {
  if (stream.length === 0) throw corrupt('This pickle file is empty: its compressed data holds no bytes.');
  const budget = {
    limits: resolved,
    ops: 0,
    memoEntries: 0,
    arrayBytes: 0,
    arrayElements: 0,
    textElements: 0,
  };
  const cursor = new Cursor(stream);
  const value = new Unpickler(cursor, budget, true).run();
  if (cursor.remaining > 0) refuseTrailingBytes(cursor, budget);
  checkValueGraph(value, resolved);
  return value;
}

/**
 * Python's pickle.load stops at the first STOP, but the same file read again (pickle.load twice,
 * a "stacked" pickle) runs whatever follows, and picklescan reports such a file as infected. A
 * model file holds one pickle, so bytes after STOP are refused; when they are another pickle
 * calling something, the refusal names it, as for any other file. Refused either way: such a file
 * is never opened, so never exported either.
 */
function refuseTrailingBytes(cursor: Cursor, budget: LoadBudget): never {
  const offset = cursor.pos;
  const trailing = cursor.remaining;
  try {
    while (cursor.remaining > 0) new Unpickler(cursor, budget, false).run();
  } catch (error) {
    if (isAppError(error) && (error.details as { global?: unknown } | undefined)?.global !== undefined)
      throw error;
  }
  throw refused(
    `refused: the file has ${trailing} more bytes after the end of its pickle (byte ${offset}); a model file holds one pickle`,
    { offset, trailing },
  );
}

/**
 * For the format sniffer: 'pickle' for a protocol 2–5 header (0x80 + version) or a stream that
 * reads as pickle instructions without one (headerless.ts: protocol 0/1, and crafted files Python
 * runs all the same); 'joblib-compressed' for the zlib, gzip, bz2, xz, lzma or old "ZF" headers
 * joblib writes. Compressed content is only confirmed by loading.
 */
export function sniffPickle(head: Uint8Array): 'pickle' | 'joblib-compressed' | null {
  const first = head[0];
  if (first === undefined) return null;
  if (first === 0x80) return (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5 ? 'pickle' : null;
  if (detectCompression(head)) return 'joblib-compressed';
  return looksLikeHeaderlessPickle(head) ? 'pickle' : null;
}
