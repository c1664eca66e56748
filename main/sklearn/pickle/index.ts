/**
 * Safe loading of scikit-learn pickles and joblib files: the bytes are interpreted by a
 * hand-written pickle machine that only builds inert data (see py-values.ts) and refuses
 * every global outside a fixed allow-list. Nothing in a file is ever imported or run.
 */
import { readFile, stat } from 'node:fs/promises';
import { Cursor } from './cursor.ts';
import { decompress, detectCompression } from './decompress.ts';
import { defaultLimits, type LoadLimits, resolveLimits } from './limits.ts';
import { isOpcode } from './opcodes.ts';
import { corrupt, refused } from './pickle-errors.ts';
import type { PyValue } from './py-values.ts';
import { Unpickler } from './unpickler.ts';
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
  return loadPickleBytes(await readFile(path), resolved);
}

/** Same as loadPickleFile for bytes already in memory; joblib compression is detected too. */
export function loadPickleBytes(bytes: Uint8Array, limits?: Partial<LoadLimits>): PyValue {
  const resolved = resolveLimits(limits);
  checkSize(bytes.length, resolved);
  if (bytes.length === 0) throw corrupt('This pickle file is empty: it has no bytes to read.');
  const compression = bytes[0] === 0x80 ? null : detectCompression(bytes);
  const stream = compression ? decompress(bytes, compression, resolved.maxFileBytes) : bytes;
  if (stream.length === 0) throw corrupt('This pickle file is empty: its compressed data holds no bytes.');
  const budget = { limits: resolved, ops: 0, memoEntries: 0, arrayBytes: 0 };
  const value = new Unpickler(new Cursor(stream), budget, true).run();
  checkValueGraph(value, resolved.maxDepth);
  return value;
}

/**
 * For the format sniffer: 'pickle' for a protocol 2–5 header (0x80 + version) or a
 * protocol 0/1 start that a model can have (a GLOBAL naming a class, or MARK/empty
 * list/dict/tuple followed by another instruction); 'joblib-compressed' for the zlib, gzip, bz2, xz, lzma or
 * old "ZF" headers joblib writes. Compressed content is only confirmed by loading.
 */
export function sniffPickle(head: Uint8Array): 'pickle' | 'joblib-compressed' | null {
  const first = head[0];
  if (first === undefined) return null;
  if (first === 0x80) return (head[1] ?? 0) >= 2 && (head[1] ?? 0) <= 5 ? 'pickle' : null;
  if (detectCompression(head)) return 'joblib-compressed';
  if (first === 0x63) {
    // GLOBAL: "c<module>\n<name>\n"
    return /^c[A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/.test(
      new TextDecoder('latin1').decode(head.subarray(0, 256)),
    )
      ? 'pickle'
      : null;
  }
  const second = head[1];
  if ((first === 0x28 || first === 0x5d || first === 0x7d || first === 0x29) && second !== undefined) {
    return isOpcode(second) ? 'pickle' : null;
  }
  return null;
}
