import type { Confusion, LabelMetrics, ThresholdMetrics } from '../../shared/contract/index.ts';
import { lowerBound } from '../analysis/labelled-scores.ts';
import { LOG_LOSS_EPS, metricsFromConfusion } from '../analysis/probability-metrics.ts';
import { rocAuc, rocCurve, thinCurve } from '../analysis/roc.ts';

/**
 * Every label metric from the scores of the positive and of the negative rows, each sorted
 * ascending: what the batch workers hand over (report-accumulator.ts). One linear pass each instead
 * of an index sort per metric (tests/scoring/metrics.test.ts holds them equal to index-sort
 * references): counts are exact integers, and sums run in sorted order, so one worker and two give
 * identical results. A row is predicted positive when its probability is >= the threshold.
 */
export function metricsFromSorted(
  positives: Float64Array,
  negatives: Float64Array,
  threshold: number,
): Pick<LabelMetrics, 'rocAuc' | 'logLoss' | 'atThreshold' | 'thresholdTable' | 'rocCurve' | 'calibration'> {
  const p = positives.length;
  const n = negatives.length;
  const eps = LOG_LOSS_EPS;
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
  const split = { rows: p + n, positives, negatives };
  const roc = rocCurve(split);
  return {
    // One AUC and one ROC curve everywhere: main/analysis/roc.ts (exact, over the sorted scores).
    rocAuc: rocAuc(split),
    logLoss: p + n === 0 ? 0 : loss / (p + n),
    atThreshold: metricsFromConfusion(threshold, confusion(threshold)),
    thresholdTable: table,
    rocCurve: roc ? thinCurve(roc.fpr, roc.tpr).map(({ x, y }) => ({ fpr: x, tpr: y })) : [],
    calibration: sortedCalibration(positives, negatives),
  };
}

/** Reliability diagram: mean predicted probability vs observed positive rate in `bins` equal-width bins. */
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
