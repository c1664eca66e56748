import { defineCall } from './define.ts';
import { classLabelSchema, predictionWarningSchema, unknownFieldsPolicySchema } from './model.ts';
import { z } from './zod.ts';

/** Where the background rows came from (in the order ModelDock looks for them). */
export const backgroundSourceSchema = z.enum(['csv', 'reference', 'samples']);
export type BackgroundSource = z.infer<typeof backgroundSourceSchema>;

export const backgroundSummarySchema = z.object({
  /** Rows the explanation averaged over (at most 1,000). */
  rows: z.number().int().nonnegative(),
  source: backgroundSourceSchema,
  /** The CSV's file name, or "golden samples". */
  name: z.string(),
  /** True when the source had more usable rows than were kept; they were drawn with `seed`. */
  sampled: z.boolean(),
  /** Usable rows in the source (before sampling). */
  totalRows: z.number().int().nonnegative(),
  /** Rows left out because a cell could not be used (the batch missing-value policy fails them). */
  skippedRows: z.number().int().nonnegative(),
  seed: z.number().int(),
});
export type BackgroundSummary = z.infer<typeof backgroundSummarySchema>;

export const contributionSchema = z.object({
  input: z.string(),
  /** The explained row's value of the input (null for a value left out; an array for [N,F] inputs). */
  value: z.union([
    z.number(),
    z.string(),
    z.boolean(),
    z.null(),
    z.array(z.union([z.number(), z.string(), z.boolean(), z.null()])),
  ]),
  contribution: z.number(),
  /** Sampled method only: the standard error of the contribution. */
  standardError: z.number().optional(),
});
export type Contribution = z.infer<typeof contributionSchema>;

/** What is explained: a probability (positive class, or the chosen class) or a regressor's value. */
export const explainTargetSchema = z.object({
  kind: z.enum(['positive-class', 'class', 'value']),
  /** The class whose probability is explained (classifiers). */
  classLabel: classLabelSchema.optional(),
  /** probability, or log-odds (log p/(1−p), where a linear model's contributions are linear). */
  scale: z.enum(['probability', 'log-odds', 'value']),
});
export type ExplainTarget = z.infer<typeof explainTargetSchema>;

/**
 * Interventional Shapley values of the model's output per input, against a background set:
 * baseValue + Σ contribution = value, up to `residual` (rounding).
 */
export const explanationSchema = z.object({
  value: z.number(),
  baseValue: z.number(),
  /** In the model's input order. */
  contributions: z.array(contributionSchema),
  method: z.enum(['exact', 'sampled']),
  /** Sampled method: permutations used (antithetic pairs × 2) and the seed they were drawn with. */
  permutations: z.number().int().optional(),
  target: explainTargetSchema,
  background: backgroundSummarySchema,
  /** What pushed the score up and what pulled it down, in one sentence. */
  summary: z.string(),
  /** baseValue + Σ contribution − value. */
  residual: z.number(),
  /** Rows the model scored for this explanation. */
  evaluatedRows: z.number().int(),
  elapsedMs: z.number(),
  warnings: z.array(predictionWarningSchema),
});
export type Explanation = z.infer<typeof explanationSchema>;

export const explainOptionsSchema = z.object({
  /** A background CSV; without one the attached reference, then the golden samples, are used. */
  backgroundCsv: z.string().min(1).optional(),
  /** Multiclass: the class to explain (default: the predicted class). */
  classLabel: classLabelSchema.optional(),
  scale: z.enum(['probability', 'log-odds']).optional(),
  permutations: z.number().int().min(2).max(10_000).optional(),
  /** Fields that are not inputs: ignored with a warning (default) or refused, as for model.predict. */
  unknownFields: unknownFieldsPolicySchema.optional(),
});
export type ExplainOptions = z.infer<typeof explainOptionsSchema>;

export const explainCalls = {
  /** The background an explanation would use, and its cost per explained row (shown before a batch run). */
  'model.explainBackground': defineCall(
    z.object({ modelId: z.string(), backgroundCsv: z.string().min(1).optional() }),
    z.object({
      background: backgroundSummarySchema,
      method: z.enum(['exact', 'sampled']),
      /** Rows the model scores to explain one row. */
      modelRowsPerRow: z.number().int(),
    }),
  ),
  /** payload: one row keyed by input name, as for model.predict. */
  'model.explain': defineCall(
    explainOptionsSchema.extend({ modelId: z.string(), payload: z.unknown() }),
    explanationSchema,
  ),
};
