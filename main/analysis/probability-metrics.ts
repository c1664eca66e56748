import type { Confusion, ThresholdMetrics } from '../../shared/contract/index.ts';
import { checkScoresAndLabels } from './labelled-scores.ts';

/**
 * Figures over each row's probability and label, as scikit-learn computes them, so an analyst can check
 * any of them in a notebook. A row is predicted 1 when its probability is ≥ the threshold.
 */

/** scikit-learn's clip for log_loss (eps=1e-15 in 1.2; a probability of exactly 0 or 1 stays finite). */
export const LOG_LOSS_EPS = 1e-15;

/** Mean negative log-likelihood (log_loss). */
export function logLoss(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  checkScoresAndLabels(scores, labels);
  if (scores.length === 0) return null;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPS, Math.max(LOG_LOSS_EPS, scores[i] as number));
    total -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return total / scores.length;
}

/** Mean squared difference between probability and label (brier_score_loss). */
export function brierScore(scores: ArrayLike<number>, labels: ArrayLike<number>): number | null {
  checkScoresAndLabels(scores, labels);
  if (scores.length === 0) return null;
  let total = 0;
  for (let i = 0; i < scores.length; i++) {
    const error = (scores[i] as number) - (labels[i] as number);
    total += error * error;
  }
  return total / scores.length;
}

export function confusionAt(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): Confusion {
  checkScoresAndLabels(scores, labels);
  const confusion = { tp: 0, fp: 0, tn: 0, fn: 0 };
  for (let i = 0; i < scores.length; i++) {
    const predicted = (scores[i] as number) >= threshold;
    const actual = labels[i] === 1;
    if (predicted && actual) confusion.tp++;
    else if (predicted) confusion.fp++;
    else if (actual) confusion.fn++;
    else confusion.tn++;
  }
  return confusion;
}

/** Accuracy, precision, recall and F1; a ratio with nothing to divide by is 0 (zero_division=0). */
export function metricsFromConfusion(threshold: number, confusion: Confusion): ThresholdMetrics {
  const { tp, fp, tn, fn } = confusion;
  const total = tp + fp + tn + fn;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = tp + fn === 0 ? 0 : tp / (tp + fn);
  return {
    threshold,
    accuracy: total === 0 ? 0 : (tp + tn) / total,
    precision,
    recall,
    f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall),
    confusion,
  };
}

export function metricsAtThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  threshold: number,
): ThresholdMetrics {
  return metricsFromConfusion(threshold, confusionAt(scores, labels, threshold));
}
