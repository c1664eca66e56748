/** Bounds on what one pickle load may consume, so a crafted file can't exhaust memory or time. */
export interface LoadLimits {
  /** Largest file accepted, and largest stream after decompression. */
  maxFileBytes: number;
  /** Most memo slots (PUT/MEMOIZE) one load may fill. */
  maxMemoEntries: number;
  /** Deepest nesting: MARK levels while reading and container depth of the result. */
  maxDepth: number;
  /** Total bytes of numpy array data decoded in one load. */
  maxArrayBytes: number;
  /**
   * Total elements of all numpy arrays in one load, whatever their dtype. Bytes alone can't bound
   * them: a zero-width dtype (U0, S0, an empty record) needs no bytes per element.
   */
  maxArrayElements: number;
  /**
   * Total elements of numpy text arrays (U, S) in one load: each becomes a value of its own
   * (~50 bytes), so a 1 GiB `S1` array would need tens of GB.
   */
  maxTextElements: number;
  /** Longest single text (STRING, BINUNICODE, …) in bytes; V8 can't hold a string past ~512M characters. */
  maxTextBytes: number;
  /** Most pickle instructions executed in one load (the time bound). */
  maxOps: number;
  /**
   * How many more values (array elements included) the loaded data holds when every shared
   * reference is counted again, beyond the values themselves. The converter walks attributes like
   * trees: without this bound 40 nested `(t, t)` tuples ("billion laughs") are 2^40 values to it.
   */
  maxSharedExpansion: number;
}

const MiB = 1024 * 1024;

/**
 * Generous for real scikit-learn models (a 500-tree forest is ~100 MB, ~1M instructions and
 * a few million array elements) and still small enough that a hostile file fails fast.
 */
export const defaultLimits: LoadLimits = Object.freeze({
  maxFileBytes: 1024 * MiB,
  maxMemoEntries: 5_000_000,
  maxDepth: 500,
  maxArrayBytes: 1024 * MiB,
  maxArrayElements: 128 * MiB,
  maxTextElements: 10_000_000,
  maxTextBytes: 256 * MiB,
  maxOps: 50_000_000,
  maxSharedExpansion: 20_000_000,
});

export function resolveLimits(limits?: Partial<LoadLimits>): LoadLimits {
  return { ...defaultLimits, ...limits };
}
