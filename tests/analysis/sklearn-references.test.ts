import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { delongTest } from '../../main/analysis/delong.ts';
import { splitByLabel } from '../../main/analysis/labelled-scores.ts';
import { averagePrecision, precisionRecallCurve } from '../../main/analysis/precision-recall.ts';
import { brierScore, logLoss, metricsAtThreshold } from '../../main/analysis/probability-metrics.ts';
import { rocAuc, rocCurve } from '../../main/analysis/roc.ts';
import { quantileCalibration, scoreHistogram } from '../../main/analysis/score-bins.ts';

/**
 * Every figure against scikit-learn / numpy / scipy, computed by
 * scripts/fixtures/analysis/make_decision_references.py on the real lead file scored by the course
 * pipeline and by the v1/v2 pair; DeLong against the script's own pairwise implementation.
 */
interface Reference {
  scores: number[];
  labels: number[];
  rocAuc: number;
  logLoss: number;
  brier: number;
  averagePrecision: number;
  atThreshold: Array<{ threshold: number; accuracy: number; precision: number; recall: number; f1: number }>;
  roc: { fpr: number[]; tpr: number[]; thresholds: number[] };
  pr: { precision: number[]; recall: number[]; thresholds: number[] };
  calibrationQuantile10: { observedRate: number[]; meanPredicted: number[] };
  histogramFd: { edges: number[]; positives: number[]; negatives: number[] };
}
interface DelongReference {
  aucA: number;
  aucB: number;
  aucDifference: number;
  standardError: number;
  z: number;
  pValue: number;
  ci95: [number, number];
}
const references = JSON.parse(
  readFileSync(new URL('../fixtures/analysis/decision_references.json', import.meta.url), 'utf8'),
) as { sets: Record<string, Reference>; delong: Record<string, DelongReference> };

function expectClose(actual: ArrayLike<number>, expected: number[], digits = 12): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(actual[i]).toBeCloseTo(expected[i] as number, digits);
}

describe.each(Object.keys(references.sets))('%s scores on the lead file', (name) => {
  const ref = references.sets[name] as Reference;
  const scores = Float64Array.from(ref.scores);
  const labels = Float64Array.from(ref.labels);
  const split = splitByLabel(scores, labels);

  test('ROC AUC, log loss, Brier and average precision equal scikit-learn', () => {
    expect(scores.length).toBe(1462);
    expect(rocAuc(split)).toBeCloseTo(ref.rocAuc, 14);
    expect(logLoss(scores, labels)).toBeCloseTo(ref.logLoss, 13);
    expect(brierScore(scores, labels)).toBeCloseTo(ref.brier, 14);
    expect(averagePrecision(split)).toBeCloseTo(ref.averagePrecision, 13);
  });

  test('accuracy, precision, recall and F1 at a threshold equal scikit-learn', () => {
    for (const expected of ref.atThreshold) {
      const actual = metricsAtThreshold(scores, labels, expected.threshold);
      expect(actual.accuracy).toBeCloseTo(expected.accuracy, 14);
      expect(actual.precision).toBeCloseTo(expected.precision, 14);
      expect(actual.recall).toBeCloseTo(expected.recall, 14);
      expect(actual.f1).toBeCloseTo(expected.f1, 14);
    }
  });

  test('the ROC curve is roc_curve(drop_intermediate=False), point for point', () => {
    const curve = rocCurve(split);
    if (!curve) throw new Error('expected a curve');
    expectClose(curve.fpr, ref.roc.fpr);
    expectClose(curve.tpr, ref.roc.tpr);
    expect(Array.from(curve.thresholds.subarray(1))).toEqual(ref.roc.thresholds);
  });

  test('the precision-recall curve is precision_recall_curve, point for point', () => {
    const curve = precisionRecallCurve(split);
    expectClose(curve.precision, ref.pr.precision);
    expectClose(curve.recall, ref.pr.recall);
    expect(Array.from(curve.thresholds)).toEqual(ref.pr.thresholds);
  });

  test('quantile calibration is calibration_curve(strategy="quantile", n_bins=10)', () => {
    const bins = quantileCalibration(scores, labels, 10);
    expectClose(
      bins.map((bin) => bin.observedRate),
      ref.calibrationQuantile10.observedRate,
    );
    expectClose(
      bins.map((bin) => bin.meanPredicted),
      ref.calibrationQuantile10.meanPredicted,
    );
    expect(bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(scores.length);
  });

  test("the histogram has numpy's Freedman–Diaconis edges and per-class counts", () => {
    const histogram = scoreHistogram(scores, labels);
    expect(histogram.rule).toBe('freedman-diaconis');
    const edges = [...histogram.bins.map((bin) => bin.from), histogram.bins.at(-1)?.to];
    expect(edges).toEqual(ref.histogramFd.edges);
    expect(histogram.bins.map((bin) => bin.positives)).toEqual(ref.histogramFd.positives);
    expect(histogram.bins.map((bin) => bin.negatives)).toEqual(ref.histogramFd.negatives);
  });
});

describe("DeLong (Sun & Xu) against the fixture script's pairwise DeLong", () => {
  test.each([
    ['v1_v2', 'v1', 'v2'],
    ['course_v1', 'course', 'v1'],
  ])('%s', (key, a, b) => {
    const expected = references.delong[key] as DelongReference;
    const setA = references.sets[a] as Reference;
    const setB = references.sets[b] as Reference;
    const actual = delongTest(
      Float64Array.from(setA.scores),
      Float64Array.from(setB.scores),
      Float64Array.from(setA.labels),
    );
    if (!actual) throw new Error('expected a result');
    expect(actual.aucA).toBeCloseTo(expected.aucA, 13);
    expect(actual.aucB).toBeCloseTo(expected.aucB, 13);
    expect(actual.aucDifference).toBeCloseTo(expected.aucDifference, 13);
    expect(actual.standardError / expected.standardError).toBeCloseTo(1, 11);
    expect((actual.z as number) / expected.z).toBeCloseTo(1, 11);
    expect(actual.pValue / expected.pValue).toBeCloseTo(1, 9);
    expect(actual.ci95[0]).toBeCloseTo(expected.ci95[0], 12);
    expect(actual.ci95[1]).toBeCloseTo(expected.ci95[1], 12);
  });
});
