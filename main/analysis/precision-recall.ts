import { binaryCurve, type LabelledScores } from './labelled-scores.ts';

/**
 * The precision-recall curve as scikit-learn's precision_recall_curve (1.2) returns it: one point per
 * distinct score, thresholds ascending, then a last point (precision 1, recall 0) with no threshold.
 * Recall is 1 everywhere when no row has label 1, as scikit-learn sets it.
 */
export interface PrecisionRecallCurve {
  readonly precision: Float64Array;
  readonly recall: Float64Array;
  readonly thresholds: Float64Array;
}

export function precisionRecallCurve(split: LabelledScores): PrecisionRecallCurve {
  const curve = binaryCurve(split);
  const points = curve.thresholds.length;
  const positives = split.positives.length;
  const precision = new Float64Array(points + 1);
  const recall = new Float64Array(points + 1);
  const thresholds = new Float64Array(points);
  for (let k = 0; k < points; k++) {
    const at = points - 1 - k; // ascending thresholds
    const tp = curve.tps[k] as number;
    const selected = tp + (curve.fps[k] as number);
    precision[at] = selected === 0 ? 0 : tp / selected;
    recall[at] = positives === 0 ? 1 : tp / positives;
    thresholds[at] = curve.thresholds[k] as number;
  }
  precision[points] = 1;
  recall[points] = 0;
  return { precision, recall, thresholds };
}

/** Average precision (scikit-learn's average_precision_score): Σ (R_k − R_k−1) · P_k, no interpolation. */
export function averagePrecision(split: LabelledScores): number | null {
  if (split.positives.length === 0) return null;
  const { precision, recall } = precisionRecallCurve(split);
  let sum = 0;
  for (let k = 0; k < precision.length - 1; k++) {
    sum += ((recall[k] as number) - (recall[k + 1] as number)) * (precision[k] as number);
  }
  return sum;
}
