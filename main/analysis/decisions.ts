import type { LabelledComparison, ModelDecisions, ScoreRanking } from '../../shared/contract/index.ts';
import { capacityTable, rankSorted } from './capacity.ts';
import { delongTest, describeDelong } from './delong.ts';
import { gainsTable } from './gains.ts';
import { checkScores, type LabelledScores, mergeAscending, splitByLabel } from './labelled-scores.ts';
import { averagePrecision, precisionRecallCurve } from './precision-recall.ts';
import { brierScore, logLoss, metricsAtThreshold } from './probability-metrics.ts';
import { rocAuc, rocCurve, thinCurve } from './roc.ts';
import { calibrationOfSorted, histogramOfSorted } from './score-bins.ts';

/**
 * The decision figures of one model, and of two compared on the same rows, from scores and 0/1 labels:
 * the one place Batch's report, Compare, the CLI's --json and the saved HTML report get them from.
 */

export function modelDecisions(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): ModelDecisions {
  return decisionsOf(splitByLabel(scores, labels), scores, labels, threshold);
}

/**
 * The figures from the split (each label's scores sorted) and the same rows as scores and labels. The
 * ranking figures read the split and every score merged ascending from it, sorted once; log loss,
 * Brier, the threshold metrics and calibration's sums read the rows in their order.
 */
function decisionsOf(
  split: LabelledScores,
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): ModelDecisions {
  const sorted = mergeAscending(split.positives, split.negatives);
  const roc = rocCurve(split);
  const pr = precisionRecallCurve(split);
  return {
    rows: split.rows,
    positives: split.positives.length,
    rocAuc: rocAuc(split),
    logLoss: logLoss(scores, labels),
    brier: brierScore(scores, labels),
    averagePrecision: averagePrecision(split),
    atThreshold: metricsAtThreshold(scores, labels, threshold),
    roc: roc ? thinCurve(roc.fpr, roc.tpr) : [],
    precisionRecall: thinCurve(pr.recall, pr.precision),
    calibration: calibrationOfSorted(sorted, scores, labels, 10),
    histogram: histogramOfSorted(sorted, split.positives),
    gains: gainsTable(split),
    capacity: capacityTable(rankSorted(sorted, split.positives)),
  };
}

export function compareDecisions(
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  labels: ArrayLike<number>,
  options: { threshold: number; labelColumn: string; nameA: string; nameB: string },
): LabelledComparison {
  const a = modelDecisions(scoresA, labels, options.threshold);
  const b = modelDecisions(scoresB, labels, options.threshold);
  const delong = delongTest(scoresA, scoresB, labels);
  return {
    labelColumn: options.labelColumn,
    rows: a.rows,
    positives: a.positives,
    a,
    b,
    delong,
    verdict: delong
      ? describeDelong(delong, options.nameA, options.nameB)
      : `DeLong's test needs at least two rows of each label; there are ${a.positives} converted and ${a.rows - a.positives} not.`,
  };
}

/** Rows beyond which the ranking sent to the app is thinned (every stride-th row). */
export const RANKING_LIMIT = 100_000;

/** The scores highest first (labels alongside), for the app's capacity field and threshold slider. */
export function scoreRanking(scores: ArrayLike<number>, labels?: ArrayLike<number>): ScoreRanking {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort(
    (i, j) => (scores[j] as number) - (scores[i] as number) || i - j,
  );
  const stride = Math.max(1, Math.ceil(scores.length / RANKING_LIMIT));
  const kept = stride === 1 ? order : order.filter((_, k) => k % stride === 0);
  return {
    rows: scores.length,
    stride,
    scores: kept.map((i) => scores[i] as number),
    ...(labels ? { labels: kept.map((i) => (labels[i] === 1 ? 1 : 0) as 0 | 1) } : {}),
  };
}

/** Scores and labels back from a split (label-1 rows first): for the figures that don't need row order. */
function flatten(split: LabelledScores): { scores: Float64Array; labels: Uint8Array } {
  const scores = new Float64Array(split.rows);
  scores.set(split.positives);
  scores.set(split.negatives, split.positives.length);
  const labels = new Uint8Array(split.rows);
  labels.fill(1, 0, split.positives.length);
  return { scores, labels };
}

/**
 * modelDecisions for a batch run, whose workers hand over each label's scores already sorted: every
 * figure depends on the scores and labels only, not on the order of the rows, so the split is used
 * as it is (checked, not sorted again) and the rows are its label-1 scores, then its label-0 scores.
 */
export function decisionsFromSplit(split: LabelledScores, threshold: number): ModelDecisions {
  const { scores, labels } = flatten(split);
  checkScores(scores);
  return decisionsOf(split, scores, labels, threshold);
}

/** The ranking (highest first) from sorted label-1 and label-0 scores; a label-1 row goes first in a tie. */
export function rankingFromSplit(split: LabelledScores): ScoreRanking {
  const { positives, negatives } = split;
  const stride = Math.max(1, Math.ceil(split.rows / RANKING_LIMIT));
  const scores: number[] = [];
  const labels: Array<0 | 1> = [];
  let i = positives.length - 1;
  let j = negatives.length - 1;
  for (let k = 0; i >= 0 || j >= 0; k++) {
    const takePositive = j < 0 || (i >= 0 && (positives[i] as number) >= (negatives[j] as number));
    const score = takePositive ? (positives[i--] as number) : (negatives[j--] as number);
    if (k % stride === 0) {
      scores.push(score);
      labels.push(takePositive ? 1 : 0);
    }
  }
  return { rows: split.rows, stride, scores, labels };
}

/** The ranking of unlabelled scores already sorted ascending. */
export function rankingFromSorted(ascending: Float64Array): ScoreRanking {
  const stride = Math.max(1, Math.ceil(ascending.length / RANKING_LIMIT));
  const scores: number[] = [];
  for (let k = 0; k < ascending.length; k += stride)
    scores.push(ascending[ascending.length - 1 - k] as number);
  return { rows: ascending.length, stride, scores };
}
