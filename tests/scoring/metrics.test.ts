import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { splitByLabel } from '../../main/analysis/labelled-scores.ts';
import { confusionAt, logLoss, metricsFromConfusion } from '../../main/analysis/probability-metrics.ts';
import { rocAuc as rocAucOfSplit } from '../../main/analysis/roc.ts';
import { metricsFromSorted } from '../../main/scoring/metrics.ts';
import type { LabelMetrics, ThresholdMetrics } from '../../shared/contract/index.ts';

// Index-sort references for the batch engine's metricsFromSorted: the plain way, one sort of row
// indexes per figure, over the rows in their own order. They live here, not in main/: the product
// computes each figure once, from the sorted scores.

/** Confusion counts at 0, 0.01, …, 1, walking one ascending index sort. */
function thresholdTable(scores: ArrayLike<number>, labels: ArrayLike<number>): ThresholdMetrics[] {
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
function rocCurve(
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

/**
 * Reliability diagram by brute force: for each of `bins` equal-width bins (bin = ⌊score · bins⌋, a
 * score of 1 in the last), the rows in it, their mean score and their share of label 1.
 */
function calibration(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): LabelMetrics['calibration'] {
  const rows = Array.from(scores, (score, i) => ({ score, label: labels[i] ?? 0 }));
  const binOf = (score: number) => Math.min(bins - 1, Math.floor(score * bins));
  const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;
  return Array.from({ length: bins }, (_, bin) => {
    const inside = rows.filter((row) => binOf(row.score) === bin);
    return inside.length === 0
      ? undefined
      : {
          from: bin / bins,
          to: (bin + 1) / bins,
          meanPredicted: mean(inside.map((row) => row.score)),
          observedRate: mean(inside.map((row) => row.label)),
          count: inside.length,
        };
  }).filter((entry) => entry !== undefined);
}

function sortedIndexes(scores: ArrayLike<number>): Uint32Array {
  const order = new Uint32Array(scores.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (scores[a] ?? 0) - (scores[b] ?? 0));
}

/** The one exact AUC (main/analysis), over plain arrays. */
const rocAuc = (scores: number[], labels: number[]) => rocAucOfSplit(splitByLabel(scores, labels));

/** AUC by its definition: the share of (positive, negative) pairs ranked correctly, ties counting half. */
function pairwiseAuc(scores: number[], labels: number[]): number | null {
  let wins = 0;
  let pairs = 0;
  scores.forEach((p, i) => {
    if (labels[i] !== 1) return;
    scores.forEach((n, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += p > n ? 1 : p === n ? 0.5 : 0;
    });
  });
  return pairs === 0 ? null : wins / pairs;
}

// Scores on a coarse grid so ties are common.
const sample = fc
  .array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 1 })), {
    minLength: 1,
    maxLength: 80,
  })
  .map((rows) => ({ scores: rows.map(([s]) => s / 20), labels: rows.map(([, l]) => l) }));

describe('ROC AUC', () => {
  test('equals pairwise counting, ties included', () => {
    fc.assert(
      fc.property(sample, ({ scores, labels }) => {
        const expected = pairwiseAuc(scores, labels);
        const actual = rocAuc(scores, labels);
        if (expected === null) expect(actual).toBeNull();
        else expect(actual).toBeCloseTo(expected, 12);
      }),
    );
  });

  test('a perfect ranking is 1, a reversed one 0', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
  });

  test('the ROC curve runs from (0,0) to (1,1) and its trapezoid area is the AUC', () => {
    fc.assert(
      fc.property(sample, ({ scores, labels }) => {
        const curve = rocCurve(scores, labels, 10_000);
        const auc = rocAuc(scores, labels);
        if (auc === null) {
          expect(curve).toEqual([]);
          return;
        }
        expect(curve[0]).toEqual({ fpr: 0, tpr: 0 });
        expect(curve.at(-1)).toEqual({ fpr: 1, tpr: 1 });
        let area = 0;
        for (let i = 1; i < curve.length; i++) {
          const [a, b] = [curve[i - 1]!, curve[i]!];
          area += ((b.fpr - a.fpr) * (a.tpr + b.tpr)) / 2;
        }
        expect(area).toBeCloseTo(auc, 10);
      }),
    );
  });
});

describe('threshold metrics', () => {
  test('log loss by hand', () => {
    const expected = -(Math.log(0.9) + Math.log(1 - 0.2) + Math.log(0.6) + Math.log(1 - 0.7)) / 4;
    expect(logLoss([0.9, 0.2, 0.6, 0.7], [1, 0, 1, 0])).toBeCloseTo(expected, 14);
    // Clipped like scikit-learn: a confident mistake is large but finite.
    expect(Number.isFinite(logLoss([0], [1]))).toBe(true);
  });

  test('confusion, precision, recall and F1 by hand', () => {
    const scores = [0.9, 0.8, 0.6, 0.4, 0.3, 0.1];
    const labels = [1, 0, 1, 1, 0, 0];
    const confusion = confusionAt(scores, labels, 0.5);
    expect(confusion).toEqual({ tp: 2, fp: 1, tn: 2, fn: 1 });
    const metrics = metricsFromConfusion(0.5, confusion);
    expect(metrics.precision).toBeCloseTo(2 / 3);
    expect(metrics.recall).toBeCloseTo(2 / 3);
    expect(metrics.f1).toBeCloseTo(2 / 3);
    expect(metrics.accuracy).toBeCloseTo(4 / 6);
    // A score equal to the threshold counts as positive.
    expect(confusionAt([0.5], [1], 0.5).tp).toBe(1);
  });

  test('the threshold table matches counting at each threshold', () => {
    fc.assert(
      fc.property(sample, ({ scores, labels }) => {
        const table = thresholdTable(scores, labels);
        expect(table).toHaveLength(101);
        for (const step of [0, 13, 50, 77, 100]) {
          expect(table[step]!.confusion).toEqual(confusionAt(scores, labels, step / 100));
        }
      }),
    );
  });

  test('calibration bins hold the mean prediction and the observed rate', () => {
    const bins = calibration([0.05, 0.15, 0.12, 0.95], [0, 1, 0, 1], 10);
    expect(bins).toEqual([
      { from: 0, to: 0.1, meanPredicted: 0.05, observedRate: 0, count: 1 },
      { from: 0.1, to: 0.2, meanPredicted: (0.15 + 0.12) / 2, observedRate: 0.5, count: 2 },
      { from: 0.9, to: 1, meanPredicted: 0.95, observedRate: 1, count: 1 },
    ]);
  });
});

describe('metrics from per-worker sorted scores (what the batch engine computes)', () => {
  test('equal the index-sort functions on random scores with ties, at any threshold', () => {
    const rows = fc.array(
      fc.record({
        // Few distinct values so ties are common; some runs have a thousand rows to exercise thinning.
        score: fc.oneof(
          fc.integer({ min: 0, max: 20 }).map((k) => k / 20),
          fc.double({ min: 0, max: 1, noNaN: true }),
        ),
        label: fc.constantFrom(0, 1),
      }),
      { minLength: 1, maxLength: 1200 },
    );
    fc.assert(
      fc.property(rows, fc.double({ min: 0, max: 1, noNaN: true }), (data, threshold) => {
        const scores = data.map((row) => row.score);
        const labels = data.map((row) => row.label);
        const positives = Float64Array.from(scores.filter((_, i) => labels[i] === 1)).sort();
        const negatives = Float64Array.from(scores.filter((_, i) => labels[i] === 0)).sort();
        const sorted = metricsFromSorted(positives, negatives, threshold);
        expect(sorted.rocAuc).toBe(rocAuc(scores, labels));
        expect(sorted.logLoss).toBeCloseTo(logLoss(scores, labels) ?? 0, 12);
        expect(sorted.atThreshold).toEqual(
          metricsFromConfusion(threshold, confusionAt(scores, labels, threshold)),
        );
        expect(sorted.thresholdTable).toEqual(thresholdTable(scores, labels));
        expect(sorted.rocCurve).toEqual(rocCurve(scores, labels));
        const expected = calibration(scores, labels);
        expect(sorted.calibration.map(({ meanPredicted: _, ...rest }) => rest)).toEqual(
          expected.map(({ meanPredicted: _, ...rest }) => rest),
        );
        for (const [k, bin] of sorted.calibration.entries())
          expect(bin.meanPredicted).toBeCloseTo(expected[k]!.meanPredicted, 12);
      }),
      { numRuns: 200 },
    );
  });
});
