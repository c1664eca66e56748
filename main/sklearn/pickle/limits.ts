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
  /** Most pickle instructions executed in one load (the time bound). */
  maxOps: number;
}

const MiB = 1024 * 1024;

/**
 * Generous for real scikit-learn models (a 500-tree forest is ~100 MB and ~1M instructions)
 * and still small enough that a hostile file fails fast.
 */
export const defaultLimits: LoadLimits = Object.freeze({
  maxFileBytes: 1024 * MiB,
  maxMemoEntries: 5_000_000,
  maxDepth: 500,
  maxArrayBytes: 1024 * MiB,
  maxOps: 50_000_000,
});

export function resolveLimits(limits?: Partial<LoadLimits>): LoadLimits {
  return { ...defaultLimits, ...limits };
}
