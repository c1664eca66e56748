import type { Confusion, LabelMetrics, ThresholdMetrics } from '../../shared/contract/index.ts';
import { metricsFromConfusion } from '../analysis/probability-metrics.ts';
import { rocAuc as exactRocAuc } from '../analysis/roc.ts';

/**
 * Classification metrics for a binary model's positive-class probabilities against 0/1 labels.
 * Pure functions over arrays so they can be checked against independent computations in tests.
 * A row is predicted positive when its probability is >= the threshold.
 */

/** Confusion counts at 0, 0.01, …, 1 from one sort, so the UI can move the threshold instantly. */
export function thresholdTable(scores: ArrayLike<number>, labels: ArrayLike<number>): ThresholdMetrics[] {
  const order = sortedIndexes(scores); // ascending
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] ?? 0;
  const negatives = labels.length - positives;
  const table: ThresholdMetrics[] = [];
  let cursor = 0; // rows before cursor have score < threshold
  let belowPositives = 0;
  for (let step = 0; step <= 100; step++) {
    const threshold = step / 100;
    while (cursor < order.length && (scores[order[cursor] ?? 0] ?? 0) < threshold) {
      belowPositives += labels[order[cursor] ?? 0] ?? 0;
      cursor++;
    }
    const belowNegatives = cursor - belowPositives;
    table.push(
      metricsFromConfusion(threshold, {
        tp: positives - belowPositives,
        fp: negatives - belowNegatives,
        tn: belowNegatives,
        fn: belowPositives,
      }),
    );
  }
  return table;
}

/** ROC points from the highest threshold down, thinned to about `maxPoints`. */
export function rocCurve(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  maxPoints = 200,
): Array<{ fpr: number; tpr: number }> {
  const order = sortedIndexes(scores).reverse();
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] ?? 0;
  const negatives = labels.length - positives;
  if (positives === 0 || negatives === 0) return [];
  const points = [{ fpr: 0, tpr: 0 }];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; i++) {
    if (labels[order[i] ?? 0] === 1) tp++;
    else fp++;
    const next = order[i + 1];
    // One point per distinct score: tied rows move the curve diagonally together.
    if (next === undefined || scores[next] !== scores[order[i] ?? 0]) {
      points.push({ fpr: fp / negatives, tpr: tp / positives });
    }
  }
  if (points.length <= maxPoints) return points;
  const step = (points.length - 1) / (maxPoints - 1);
  return Array.from({ length: maxPoints }, (_, k) => points[Math.round(k * step)] ?? { fpr: 1, tpr: 1 });
}

/** Reliability diagram: mean predicted probability vs observed positive rate in `bins` equal-width bins. */
export function calibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): LabelMetrics['calibration'] {
  const sums = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] ?? 0;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
    sums[bin] = (sums[bin] ?? 0) + score;
    hits[bin] = (hits[bin] ?? 0) + (labels[i] ?? 0);
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const result: LabelMetrics['calibration'] = [];
  for (let bin = 0; bin < bins; bin++) {
    const count = counts[bin] ?? 0;
    if (count === 0) continue;
    result.push({
      from: bin / bins,
      to: (bin + 1) / bins,
      meanPredicted: (sums[bin] ?? 0) / count,
      observedRate: (hits[bin] ?? 0) / count,
      count,
    });
  }
  return result;
}

function sortedIndexes(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
}

/**
 * Every label metric from the scores of the positive and of the negative rows, each sorted
 * ascending: what the batch workers hand over (report-accumulator.ts). One linear pass each instead
 * of an index sort per metric, and the same numbers as the functions above (a test holds them
 * equal): counts are exact integers, and sums run in sorted order, so one worker and two give
 * identical results.
 */
export function metricsFromSorted(
  positives: Float64Array,
  negatives: Float64Array,
  threshold: number,
): Pick<LabelMetrics, 'rocAuc' | 'logLoss' | 'atThreshold' | 'thresholdTable' | 'rocCurve' | 'calibration'> {
  const p = positives.length;
  const n = negatives.length;
  const eps = 1e-15;
  let loss = 0;
  for (let i = 0; i < p; i++) loss -= Math.log(Math.min(1 - eps, Math.max(eps, positives[i] ?? 0)));
  for (let i = 0; i < n; i++) loss -= Math.log(1 - Math.min(1 - eps, Math.max(eps, negatives[i] ?? 0)));
  const confusion = (t: number): Confusion => {
    const fn = lowerBound(positives, t);
    const tn = lowerBound(negatives, t);
    return { tp: p - fn, fp: n - tn, tn, fn };
  };
  const table: ThresholdMetrics[] = [];
  for (let step = 0; step <= 100; step++) table.push(metricsFromConfusion(step / 100, confusion(step / 100)));
  return {
    // One AUC everywhere: main/analysis/roc.ts (exact Mann–Whitney over the sorted scores).
    rocAuc: exactRocAuc({ rows: p + n, positives, negatives }),
    logLoss: p + n === 0 ? 0 : loss / (p + n),
    atThreshold: metricsFromConfusion(threshold, confusion(threshold)),
    thresholdTable: table,
    rocCurve: sortedRocCurve(positives, negatives),
    calibration: sortedCalibration(positives, negatives),
  };
}

/** Index of the first value >= t in an ascending array: the count of values below t. */
function lowerBound(sorted: Float64Array, t: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((sorted[middle] ?? 0) < t) low = middle + 1;
    else high = middle;
  }
  return low;
}

function sortedRocCurve(
  positives: Float64Array,
  negatives: Float64Array,
  maxPoints = 200,
): Array<{ fpr: number; tpr: number }> {
  const p = positives.length;
  const n = negatives.length;
  if (p === 0 || n === 0) return [];
  // One point per distinct score, from the highest down (after the origin). A first pass counts them,
  // so only the points kept after thinning (as rocCurve thins) are made: a million scores would
  // otherwise mean a million point objects.
  const walk = (visit: (tp: number, fp: number) => void) => {
    let i = p - 1;
    let j = n - 1;
    let tp = 0;
    let fp = 0;
    while (i >= 0 || j >= 0) {
      const a = i >= 0 ? (positives[i] as number) : -Infinity;
      const b = j >= 0 ? (negatives[j] as number) : -Infinity;
      const score = Math.max(a, b);
      while (i >= 0 && positives[i] === score) {
        tp++;
        i--;
      }
      while (j >= 0 && negatives[j] === score) {
        fp++;
        j--;
      }
      visit(tp, fp);
    }
  };
  let distinct = 0;
  walk(() => {
    distinct++;
  });
  const total = distinct + 1; // with the origin
  if (total <= maxPoints) {
    const points = [{ fpr: 0, tpr: 0 }];
    walk((tp, fp) => points.push({ fpr: fp / n, tpr: tp / p }));
    return points;
  }
  const step = (total - 1) / (maxPoints - 1);
  const wanted = Array.from({ length: maxPoints }, (_, k) => Math.round(k * step));
  const points: Array<{ fpr: number; tpr: number }> = [];
  let index = 0; // index of the next point in the full curve (0 is the origin)
  let next = 0;
  const take = (tp: number, fp: number) => {
    while (next < wanted.length && wanted[next] === index) {
      points.push({ fpr: fp / n, tpr: tp / p });
      next++;
    }
    index++;
  };
  take(0, 0);
  walk(take);
  return points;
}

function sortedCalibration(
  positives: Float64Array,
  negatives: Float64Array,
  bins = 10,
): LabelMetrics['calibration'] {
  const sums = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (const [values, hit] of [
    [positives, 1],
    [negatives, 0],
  ] as const) {
    for (let i = 0; i < values.length; i++) {
      const score = values[i] ?? 0;
      const bin = Math.min(bins - 1, Math.max(0, Math.floor(score * bins)));
      sums[bin] = (sums[bin] ?? 0) + score;
      hits[bin] = (hits[bin] ?? 0) + hit;
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
  }
  const result: LabelMetrics['calibration'] = [];
  for (let bin = 0; bin < bins; bin++) {
    const count = counts[bin] ?? 0;
    if (count === 0) continue;
    result.push({
      from: bin / bins,
      to: (bin + 1) / bins,
      meanPredicted: (sums[bin] ?? 0) / count,
      observedRate: (hits[bin] ?? 0) / count,
      count,
    });
  }
  return result;
}
