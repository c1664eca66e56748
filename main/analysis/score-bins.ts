import type { CalibrationBin, ScoreHistogram } from '../../shared/contract/index.ts';
import { checkScores, checkScoresAndLabels, lowerBound, sortedCopy } from './labelled-scores.ts';

/**
 * Bins that follow the scores actually seen, not the 0–1 range: a model whose scores all sit between
 * 0.50 and 0.55 still gets a readable histogram and a calibration plot with more than one dot.
 */

/** At most this many histogram bars: more can't be told apart on screen or paper. */
const MAX_BARS = 100;

/**
 * numpy's percentile (method "linear") of ascending `sorted` at q in [0, 1], reproducing its arithmetic
 * (virtual index n·q + (1 − q) − 1, and its two-sided lerp) so bin edges match numpy's to the bit.
 */
export function percentile(sorted: Float64Array, q: number): number {
  const n = sorted.length;
  if (n === 0) throw new Error('No scores to take a percentile of.');
  const virtualIndex = n * q + (1 + q * -1) - 1;
  const below = Math.min(n - 1, Math.max(0, Math.floor(virtualIndex)));
  const above = Math.min(n - 1, below + 1);
  const gamma = virtualIndex - Math.floor(virtualIndex);
  const a = sorted[below] as number;
  const b = sorted[above] as number;
  const difference = b - a;
  return gamma >= 0.5 ? b - difference * (1 - gamma) : a + difference * gamma;
}

/** numpy's linspace: start + k·step, the last edge exactly stop. */
function linspace(start: number, stop: number, count: number): Float64Array {
  const edges = new Float64Array(count);
  const step = (stop - start) / (count - 1);
  for (let k = 0; k < count; k++) edges[k] = start + k * step;
  edges[count - 1] = stop;
  return edges;
}

/**
 * Histogram edges over [min, max] of the scores by the Freedman–Diaconis rule (bar width 2·IQR·n^(−1/3),
 * numpy's bins="fd"); Sturges' log2(n) + 1 bars when the interquartile range is 0, at most 100 bars.
 */
export function histogramEdges(scores: ArrayLike<number>): {
  rule: ScoreHistogram['rule'];
  edges: Float64Array;
} {
  checkScores(scores);
  return edgesOfSorted(sortedCopy(scores));
}

/** histogramEdges of finite scores sorted ascending. */
function edgesOfSorted(sorted: Float64Array): { rule: ScoreHistogram['rule']; edges: Float64Array } {
  const n = sorted.length;
  if (n === 0) return { rule: 'single-value', edges: new Float64Array(0) };
  const low = sorted[0] as number;
  const high = sorted[n - 1] as number;
  if (low === high) return { rule: 'single-value', edges: Float64Array.of(low - 0.5, high + 0.5) };
  const width = 2 * (percentile(sorted, 0.75) - percentile(sorted, 0.25)) * n ** (-1 / 3);
  const rule = width > 0 ? 'freedman-diaconis' : 'sturges';
  const bars = width > 0 ? Math.ceil((high - low) / width) : Math.ceil(Math.log2(n) + 1);
  return { rule, edges: linspace(low, high, Math.min(MAX_BARS, Math.max(1, bars)) + 1) };
}

/** Counts per bar (edges[i] ≤ score < edges[i+1], the last bar closed), split by label when given. */
export function scoreHistogram(scores: ArrayLike<number>, labels?: ArrayLike<number>): ScoreHistogram {
  if (labels) checkScoresAndLabels(scores, labels);
  else checkScores(scores);
  const sorted = sortedCopy(scores);
  if (!labels) return histogramOfSorted(sorted);
  let positiveCount = 0;
  for (let i = 0; i < labels.length; i++) positiveCount += labels[i] as number;
  const positives = new Float64Array(positiveCount);
  for (let i = 0, p = 0; i < labels.length; i++) if (labels[i] === 1) positives[p++] = scores[i] as number;
  return histogramOfSorted(sorted, sortedCopy(positives));
}

/**
 * scoreHistogram of finite scores already sorted ascending (with the label-1 ones, likewise, to split
 * the bars by label): a batch run's merged scores, neither copied nor sorted again.
 */
export function histogramOfSorted(sorted: Float64Array, positives?: Float64Array): ScoreHistogram {
  const { rule, edges } = edgesOfSorted(sorted);
  const counts = barCounts(sorted, edges);
  const positiveCounts = positives ? barCounts(positives, edges) : undefined;
  return {
    rule,
    bins: counts.map((count, bar) => ({
      from: edges[bar] as number,
      to: edges[bar + 1] as number,
      count,
      ...(positiveCounts
        ? { positives: positiveCounts[bar] as number, negatives: count - (positiveCounts[bar] as number) }
        : {}),
    })),
  };
}

/**
 * How many of ascending `sorted` (all within [edges[0], last edge]) fall in each bar: edges[i] ≤ score <
 * edges[i+1], the last bar closed, so the maximum counts. A bar ends where the next edge's scores begin:
 * one binary search per edge instead of one per score.
 */
function barCounts(sorted: Float64Array, edges: Float64Array): number[] {
  const bars = Math.max(0, edges.length - 1);
  const counts = new Array<number>(bars).fill(0);
  let start = 0;
  for (let bar = 0; bar < bars; bar++) {
    const end = bar === bars - 1 ? sorted.length : lowerBound(sorted, edges[bar + 1] as number);
    counts[bar] = end - start;
    start = end;
  }
  return counts;
}

/**
 * Calibration by score quantile, as scikit-learn's calibration_curve(strategy="quantile"): edges at the
 * 0, 1/bins, …, 1 percentiles, a score on an inner edge going to the lower bin, empty bins dropped.
 * Each bin holds about rows/bins rows (ties can make bins uneven or merge them).
 */
export function quantileCalibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  checkScoresAndLabels(scores, labels);
  return calibrationOfSorted(sortedCopy(scores), scores, labels, bins);
}

/**
 * quantileCalibration with the scores also given sorted ascending (checked, -0 read as 0), as a batch
 * run's report has them: the edges come from `sorted`, the bins are summed over `scores` in their order.
 */
export function calibrationOfSorted(
  sorted: Float64Array,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  if (scores.length === 0) return [];
  // numpy: linspace(0, 1, bins + 1) * 100, then percentile divides by 100 again.
  const edges = Float64Array.from(linspace(0, 1, bins + 1), (q) => percentile(sorted, (q * 100) / 100));
  const inner = edges.subarray(1, bins);
  const sums = new Float64Array(bins);
  const hits = new Float64Array(bins);
  const counts = new Float64Array(bins);
  for (let i = 0; i < scores.length; i++) {
    const score = scores[i] as number;
    const bin = lowerBound(inner, score); // numpy searchsorted(side="left"): inner edges < score
    sums[bin] = (sums[bin] as number) + score;
    hits[bin] = (hits[bin] as number) + (labels[i] as number);
    counts[bin] = (counts[bin] as number) + 1;
  }
  const result: CalibrationBin[] = [];
  for (let bin = 0; bin < bins; bin++) {
    const count = counts[bin] as number;
    if (count === 0) continue;
    result.push({
      from: edges[bin] as number,
      to: edges[bin + 1] as number,
      meanPredicted: (sums[bin] as number) / count,
      observedRate: (hits[bin] as number) / count,
      count,
    });
  }
  return result;
}
