/**
 * Scores of a binary model (the positive class's probability) against 0/1 labels, checked once and split
 * by label with each side sorted ascending. Every ranking figure (ROC, precision-recall, gains, capacity)
 * is a walk over these two sorted arrays, so a million rows cost two native sorts, not a comparator sort.
 * Pure: no Node imports; the inputs are plain typed arrays.
 */

export interface LabelledScores {
  readonly rows: number;
  /** Scores of the label-1 rows, ascending. */
  readonly positives: Float64Array;
  /** Scores of the label-0 rows, ascending. */
  readonly negatives: Float64Array;
}

export function checkScores(scores: ArrayLike<number>): void {
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] as number;
    if (!Number.isFinite(score))
      throw new Error(`Score ${i + 1} is ${score}; scores must be finite numbers.`);
  }
}

export function checkScoresAndLabels(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new Error(`There are ${scores.length} scores but ${labels.length} labels; they must pair up.`);
  }
  checkScores(scores);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (label !== 0 && label !== 1) throw new Error(`Label ${i + 1} is ${label}; labels must be 0 or 1.`);
  }
}

export function splitByLabel(scores: ArrayLike<number>, labels: ArrayLike<number>): LabelledScores {
  checkScoresAndLabels(scores, labels);
  let positiveCount = 0;
  for (let i = 0; i < labels.length; i++) positiveCount += labels[i] as number;
  const positives = new Float64Array(positiveCount);
  const negatives = new Float64Array(labels.length - positiveCount);
  let p = 0;
  let n = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) positives[p++] = scores[i] as number;
    else negatives[n++] = scores[i] as number;
  }
  // -0 and 0 are one score: make them one value so the walks below see a single tie group.
  for (const side of [positives, negatives])
    for (let i = 0; i < side.length; i++) side[i] = (side[i] as number) + 0;
  positives.sort();
  negatives.sort();
  return { rows: labels.length, positives, negatives };
}

/**
 * scikit-learn's _binary_clf_curve: for each distinct score from the highest down, the label-1 (tps) and
 * label-0 (fps) rows scoring at least that much.
 */
export interface BinaryCurve {
  readonly thresholds: Float64Array;
  readonly tps: Float64Array;
  readonly fps: Float64Array;
}

/**
 * Curves already walked, by the label-1 array they were walked over: ROC, its AUC, precision-recall,
 * average precision and gains each start from the curve, and a batch run's report asks for all of
 * them over the same million scores. Weak: a curve goes when its scores do. The arrays are never
 * changed once split (see LabelledScores), so a curve found here is the one the walk would give.
 */
const walkedCurves = new WeakMap<Float64Array, { negatives: Float64Array; curve: BinaryCurve }>();

export function binaryCurve(split: LabelledScores): BinaryCurve {
  const { positives, negatives } = split;
  const walked = walkedCurves.get(positives);
  if (walked && walked.negatives === negatives) return walked.curve;
  const curve = walkCurve(positives, negatives);
  walkedCurves.set(positives, { negatives, curve });
  return curve;
}

function walkCurve(positives: Float64Array, negatives: Float64Array): BinaryCurve {
  const thresholds = new Float64Array(positives.length + negatives.length);
  const tps = new Float64Array(thresholds.length);
  const fps = new Float64Array(thresholds.length);
  let i = positives.length - 1;
  let j = negatives.length - 1;
  let tp = 0;
  let fp = 0;
  let k = 0;
  while (i >= 0 || j >= 0) {
    const threshold = Math.max(
      i >= 0 ? (positives[i] as number) : -Infinity,
      j >= 0 ? (negatives[j] as number) : -Infinity,
    );
    while (i >= 0 && positives[i] === threshold) {
      tp++;
      i--;
    }
    while (j >= 0 && negatives[j] === threshold) {
      fp++;
      j--;
    }
    thresholds[k] = threshold;
    tps[k] = tp;
    fps[k] = fp;
    k++;
  }
  return { thresholds: thresholds.subarray(0, k), tps: tps.subarray(0, k), fps: fps.subarray(0, k) };
}

/** Index of the first element of ascending `sorted` that is ≥ value (its length when none is). */
export function lowerBound(sorted: Float64Array, value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((sorted[mid] as number) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Two ascending arrays as one ascending array (a stable merge: a's element first in a tie). An empty
 * side gives the other array itself, not a copy.
 */
export function mergeAscending(a: Float64Array, b: Float64Array): Float64Array {
  if (a.length === 0) return b;
  if (b.length === 0) return a;
  const out = new Float64Array(a.length + b.length);
  const aLength = a.length;
  const bLength = b.length;
  let i = 0;
  let j = 0;
  let k = 0;
  let x = a[0] as number;
  let y = b[0] as number;
  // A plain loop with no per-element checks: a batch run merges a million scores at its end.
  while (true) {
    if (x <= y) {
      out[k++] = x;
      if (++i === aLength) break;
      x = a[i] as number;
    } else {
      out[k++] = y;
      if (++j === bLength) break;
      y = b[j] as number;
    }
  }
  if (i < aLength) out.set(a.subarray(i), k);
  else out.set(b.subarray(j), k);
  return out;
}

/** A sorted copy (ascending), -0 read as 0. */
export function sortedCopy(values: ArrayLike<number>): Float64Array {
  const copy = new Float64Array(values.length);
  let ascending = true;
  for (let i = 0; i < copy.length; i++) {
    copy[i] = (values[i] as number) + 0;
    if (i > 0 && !((copy[i] as number) >= (copy[i - 1] as number))) ascending = false; // NaN: not sorted
  }
  // Batch runs hand over scores their workers already sorted: sorting 1M of them again cost ~0.1 s each time.
  return ascending ? copy : copy.sort();
}
