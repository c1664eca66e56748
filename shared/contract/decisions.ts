import { z } from './zod.ts';

/**
 * The figures an analyst decides with: which model ranks leads better (and whether the difference is
 * real), how many conversions the top of the list holds, and where to cut for a given call capacity.
 * Computed in main/analysis from scores and 0/1 labels; these schemas are what `--json`, the report and
 * the UI carry.
 */

export const confusionSchema = z.object({ tp: z.number(), fp: z.number(), tn: z.number(), fn: z.number() });
export type Confusion = z.infer<typeof confusionSchema>;

export const thresholdMetricsSchema = z.object({
  threshold: z.number(),
  accuracy: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  confusion: confusionSchema,
});
export type ThresholdMetrics = z.infer<typeof thresholdMetricsSchema>;

/** One bar of a histogram over the actual score range; `to` is exclusive except in the last bar. */
export const scoreBinSchema = z.object({
  from: z.number(),
  to: z.number(),
  count: z.number().int(),
  /** Rows of this bar whose label is 1 / 0; absent without a label column. */
  positives: z.number().int().optional(),
  negatives: z.number().int().optional(),
});
export type ScoreBin = z.infer<typeof scoreBinSchema>;

export const scoreHistogramSchema = z.object({
  /** How the edges were chosen: Freedman–Diaconis, or Sturges where the interquartile range is 0. */
  rule: z.enum(['freedman-diaconis', 'sturges', 'single-value']),
  bins: z.array(scoreBinSchema),
});
export type ScoreHistogram = z.infer<typeof scoreHistogramSchema>;

/** Reliability by score quantile: each bin holds about the same number of rows. */
export const calibrationBinSchema = z.object({
  from: z.number(),
  to: z.number(),
  meanPredicted: z.number(),
  observedRate: z.number(),
  count: z.number().int(),
});
export type CalibrationBin = z.infer<typeof calibrationBinSchema>;

export const curvePointSchema = z.object({ x: z.number(), y: z.number() });

/** One row of the gains table: the top `cumulativeRows` rows ranked by score. */
export const gainsRowSchema = z.object({
  /** 1 for the top tenth of rows. */
  group: z.number().int(),
  /** Share of all rows down to the end of this group (0.1, 0.2, …). */
  populationShare: z.number(),
  rows: z.number().int(),
  cumulativeRows: z.number().int(),
  /**
   * Label-1 rows in this group. Rows tied on the score at a group edge are shared pro rata (the
   * expected count if their order were random), so these may be fractional and never depend on row order.
   */
  conversions: z.number(),
  cumulativeConversions: z.number(),
  /** Share of all conversions held by the rows down to here. */
  cumulativeGain: z.number(),
  /** This group's conversion rate over the file's. */
  lift: z.number(),
  /** The conversion rate of the rows down to here over the file's. */
  cumulativeLift: z.number(),
});
export type GainsRow = z.infer<typeof gainsRowSchema>;

/** "My team can call N leads (or X %)": the rows picked by score, highest first. */
export const capacitySchema = z.object({
  /** What was asked: a number of rows, or a share of the rows. */
  request: z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('count'), count: z.number().int().nonnegative() }),
    z.object({ kind: z.literal('share'), share: z.number().min(0).max(1) }),
  ]),
  /** The number of rows the request comes to. */
  capacity: z.number().int(),
  /** Rows are selected when their score is ≥ this; null when nothing is selected. */
  threshold: z.number().nullable(),
  /** Rows selected: every row tied with the last one within capacity is selected too. */
  selected: z.number().int(),
  /** How many of `selected` are beyond the capacity because they tie at the threshold. */
  tiedBeyondCapacity: z.number().int(),
  /** The sum of the selected rows' scores: the conversions the model expects among them. */
  expectedConversions: z.number(),
  /** With labels: label-1 rows among the selected, and precision, recall and lift at the threshold. */
  conversions: z.number().int().optional(),
  precision: z.number().optional(),
  recall: z.number().optional(),
  lift: z.number().optional(),
});
export type Capacity = z.infer<typeof capacitySchema>;

export const delongSchema = z.object({
  aucA: z.number(),
  aucB: z.number(),
  /** AUC of B minus AUC of A. */
  aucDifference: z.number(),
  standardError: z.number(),
  ci95: z.tuple([z.number(), z.number()]),
  /** Null when the standard error is 0 (both models rank every pair the same way). */
  z: z.number().nullable(),
  /** Two-sided. */
  pValue: z.number(),
  positives: z.number().int(),
  negatives: z.number().int(),
});
export type Delong = z.infer<typeof delongSchema>;

/** Every ranking figure of one model's scores against 0/1 labels: what `--json`, the report and the UI show. */
export const modelDecisionsSchema = z.object({
  rows: z.number().int(),
  positives: z.number().int(),
  rocAuc: z.number().nullable(),
  logLoss: z.number().nullable(),
  brier: z.number().nullable(),
  averagePrecision: z.number().nullable(),
  atThreshold: thresholdMetricsSchema,
  /** x: false positive rate, y: true positive rate; at most 200 points, for drawing. */
  roc: z.array(curvePointSchema),
  /** x: recall, y: precision; at most 200 points, for drawing. */
  precisionRecall: z.array(curvePointSchema),
  calibration: z.array(calibrationBinSchema),
  histogram: scoreHistogramSchema,
  gains: z.array(gainsRowSchema),
  /** 5, 10, 20, 30 and 50 % of the rows. */
  capacity: z.array(capacitySchema),
});
export type ModelDecisions = z.infer<typeof modelDecisionsSchema>;

/**
 * The scores ranked highest first, so the app can turn a capacity into a threshold (and back) as the
 * engine does: every score when there are at most 100,000 rows (`stride` 1), else every stride-th.
 */
export const scoreRankingSchema = z.object({
  rows: z.number().int(),
  stride: z.number().int().positive(),
  scores: z.array(z.number()),
  /** The labels in the same order, when there is a label column. */
  labels: z.array(z.union([z.literal(0), z.literal(1)])).optional(),
});
export type ScoreRanking = z.infer<typeof scoreRankingSchema>;

/** Two models against the label on the same rows: which ranks better, and whether that is real. */
export const labelledComparisonSchema = z.object({
  labelColumn: z.string(),
  rows: z.number().int(),
  positives: z.number().int(),
  a: modelDecisionsSchema,
  b: modelDecisionsSchema,
  /** Null with fewer than two rows of either label. */
  delong: delongSchema.nullable(),
  /** The DeLong result in one sentence. */
  verdict: z.string(),
});
export type LabelledComparison = z.infer<typeof labelledComparisonSchema>;
