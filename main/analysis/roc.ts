import { binaryCurve, type LabelledScores } from './labelled-scores.ts';

/**
 * The ROC curve at every distinct score (scikit-learn's roc_curve with drop_intermediate=False) and
 * the exact AUC. Null without rows of both labels: neither is defined then.
 */

export interface RocCurve {
  /** Starts at (0, 0), where the threshold is +Infinity (nothing selected), and ends at (1, 1). */
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
  readonly thresholds: Float64Array;
}

export function rocCurve(split: LabelledScores): RocCurve | null {
  const positives = split.positives.length;
  const negatives = split.negatives.length;
  if (positives === 0 || negatives === 0) return null;
  const curve = binaryCurve(split);
  const points = curve.thresholds.length + 1;
  const fpr = new Float64Array(points);
  const tpr = new Float64Array(points);
  const thresholds = new Float64Array(points);
  thresholds[0] = Number.POSITIVE_INFINITY;
  for (let k = 0; k < curve.thresholds.length; k++) {
    fpr[k + 1] = (curve.fps[k] as number) / negatives;
    tpr[k + 1] = (curve.tps[k] as number) / positives;
    thresholds[k + 1] = curve.thresholds[k] as number;
  }
  return { fpr, tpr, thresholds };
}

/**
 * ROC AUC: the share of (label-1, label-0) pairs the scores put in the right order, a tie counting half
 * (the Mann–Whitney statistic). Summed in whole and half pair counts, which doubles represent exactly
 * up to 2^53, and divided once: exact to the last bit, whatever the row order.
 */
export function rocAuc(split: LabelledScores): number | null {
  const positives = split.positives.length;
  const negatives = split.negatives.length;
  if (positives === 0 || negatives === 0) return null;
  const curve = binaryCurve(split);
  let orderedPairs = 0; // (label-1 above label-0) pairs, tied pairs counted as 0.5
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < curve.thresholds.length; k++) {
    const newTp = (curve.tps[k] as number) - tp;
    const newFp = (curve.fps[k] as number) - fp;
    // Each label-0 row at this score sits below every label-1 row above it and ties with those beside it.
    orderedPairs += newFp * tp + (newFp * newTp) / 2;
    tp += newTp;
    fp += newFp;
  }
  return orderedPairs / (positives * negatives);
}

/** At most `maxPoints` of a curve's points, evenly by index, first and last kept: for drawing only. */
export function thinCurve(
  x: Float64Array,
  y: Float64Array,
  maxPoints = 200,
): Array<{ x: number; y: number }> {
  const count = x.length;
  if (count <= maxPoints) return Array.from(x, (value, i) => ({ x: value, y: y[i] as number }));
  const step = (count - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, k) => {
    const i = Math.round(k * step);
    return { x: x[i] as number, y: y[i] as number };
  });
}
