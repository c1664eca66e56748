import { scoringSetupSchema } from './batch.ts';
import { labelledComparisonSchema } from './decisions.ts';
import { defineCall, filePathSchema } from './define.ts';
import { driftReportSchema } from './drift.ts';
import { classLabelSchema, modelFormatSchema, modelInfoSchema, operationIdSchema } from './model.ts';
import { z } from './zod.ts';

/** A reference CSV attached to a library model, summarised so drift needs no second read of it. */
export const referenceSummarySchema = z.object({
  sourcePath: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  rows: z.number().int().nonnegative(),
  attachedAt: z.string(),
  /** The version label of the earlier version of this lineage it was carried over from, if it was. */
  carriedFrom: z.string().optional(),
});
export type ReferenceSummary = z.infer<typeof referenceSummarySchema>;

/** One model kept in the library: a checksummed copy under <dataDir>/library/<sha256>/. */
export const libraryEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** v1, v2, … assigned per name when the model is first kept; the user may change it. */
  versionLabel: z.string(),
  format: modelFormatSchema,
  fileName: z.string(),
  /** Where the user's file was when it was opened. */
  sourcePath: z.string(),
  /** The library's own copy, opened by library.open. */
  storedPath: z.string(),
  sha256: z.string(),
  md5: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  addedAt: z.string(),
  lastOpenedAt: z.string(),
  notes: z.string(),
  reference: referenceSummarySchema.optional(),
  /**
   * Models with the same inputs (names, kinds and widths) are versions of one model: they share this key,
   * a name, and v1, v2, … in the order they were added. Absent for entries kept before lineages.
   */
  lineage: z.string().optional(),
});
export type LibraryEntry = z.infer<typeof libraryEntrySchema>;

/** Something the user should know about the store, such as a corrupted file that was moved aside. */
export const libraryNoticeSchema = z.object({
  kind: z.enum(['store-corrupt', 'store-migrated', 'store-newer']),
  message: z.string(),
  movedTo: z.string().optional(),
});
export type LibraryNotice = z.infer<typeof libraryNoticeSchema>;

export const libraryListSchema = z.object({
  entries: z.array(libraryEntrySchema),
  notice: libraryNoticeSchema.optional(),
});

/** What a golden sample remembers of the prediction the analyst saw. */
export const expectedPredictionSchema = z.object({
  label: classLabelSchema.nullable(),
  probabilities: z.record(z.string(), z.number()),
  probability: z.number().optional(),
  value: z.number().optional(),
});
export type ExpectedPrediction = z.infer<typeof expectedPredictionSchema>;

export const goldenSampleSchema = z.object({
  name: z.string().min(1).max(200),
  modelSha256: z.string(),
  payload: z.record(z.string(), z.unknown()),
  expected: expectedPredictionSchema,
  createdAt: z.string(),
});
export type GoldenSample = z.infer<typeof goldenSampleSchema>;

export const sampleRunSchema = z.object({
  name: z.string(),
  passed: z.boolean(),
  /** Largest |Δ| over every class probability (and the regression value); null when the call failed. */
  maxAbsDelta: z.number().nullable(),
  labelMatches: z.boolean(),
  expected: expectedPredictionSchema,
  actual: expectedPredictionSchema.nullable(),
  error: z.string().optional(),
});
export type SampleRun = z.infer<typeof sampleRunSchema>;

export const sampleRunReportSchema = z.object({
  tolerance: z.number(),
  passed: z.number().int(),
  failed: z.number().int(),
  runs: z.array(sampleRunSchema),
});
export type SampleRunReport = z.infer<typeof sampleRunReportSchema>;

export const whatIfPointSchema = z.object({
  value: z.union([z.number(), z.string()]),
  probability: z.number().nullable(),
  label: classLabelSchema.nullable(),
  probabilities: z.record(z.string(), z.number()),
});

export const whatIfCurveSchema = z.object({
  input: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  /** Where the range came from: the attached reference, the model's categories, or 0..2×value. */
  rangeSource: z.enum(['request', 'reference', 'categories', 'around-value']),
  baseValue: z.union([z.number(), z.string(), z.null()]),
  points: z.array(whatIfPointSchema),
});
export type WhatIfCurve = z.infer<typeof whatIfCurveSchema>;

export const compatibilitySchema = z.object({
  compatible: z.boolean(),
  /** One sentence per difference, e.g. "annual_income is numeric in A but string in B". */
  differences: z.array(z.string()),
});
export type Compatibility = z.infer<typeof compatibilitySchema>;

export const predictionSummarySchema = z.object({
  label: classLabelSchema.nullable(),
  probability: z.number().nullable(),
  probabilities: z.record(z.string(), z.number()),
});

export const comparePayloadResultSchema = z.object({
  a: predictionSummarySchema,
  b: predictionSummarySchema,
  absDelta: z.number().nullable(),
  labelsAgree: z.boolean(),
});
export type ComparePayloadResult = z.infer<typeof comparePayloadResultSchema>;

export const flippedRowSchema = z.object({
  /** The row's line number in the file (line 1 is the header), as in Batch's errors file. */
  row: z.number().int(),
  a: z.number(),
  b: z.number(),
});

export const compareCsvResultSchema = z.object({
  rows: z.number().int(),
  compared: z.number().int(),
  failed: z.number().int(),
  /** The first errors, one sentence each, with their row (its line number in the file). */
  errors: z.array(z.object({ row: z.number().int(), message: z.string() })),
  /** Failed rows by reason, as Batch counts them. */
  failuresByReason: z.record(z.string(), z.number().int()),
  /** Unseen categories by input (top 20 values with their row counts), as Batch reports them. */
  unseenCategories: z.record(z.string(), z.record(z.string(), z.number().int())),
  threshold: z.number(),
  labelAgreement: z.number(),
  meanAbsDelta: z.number(),
  maxAbsDelta: z.number(),
  /** p(A) and p(B) for at most 2,000 rows, sampled evenly. */
  scatter: z.array(z.tuple([z.number(), z.number()])),
  flips: z.object({ count: z.number().int(), aToB: z.number().int(), bToA: z.number().int() }),
  /** The first 100 rows whose decision changes at the threshold. */
  flippedRows: z.array(flippedRowSchema),
  seconds: z.number(),
  /** Against the label column, when one was given: each model's figures side by side and DeLong's test. */
  decisions: labelledComparisonSchema.optional(),
  /** The run's id in the history (history.get), when it was kept. */
  runId: z.string().optional(),
});
export type CompareCsvResult = z.infer<typeof compareCsvResultSchema>;

const idSchema = z.string().min(1).max(200);

export const libraryCalls = {
  'library.list': defineCall(z.object({ query: z.string().max(200).optional() }), libraryListSchema),
  'library.rename': defineCall(
    z.object({ id: idSchema, name: z.string().trim().min(1).max(200) }),
    libraryEntrySchema,
  ),
  'library.relabel': defineCall(
    z.object({ id: idSchema, versionLabel: z.string().trim().min(1).max(50) }),
    libraryEntrySchema,
  ),
  'library.setNotes': defineCall(
    z.object({ id: idSchema, notes: z.string().max(10_000) }),
    libraryEntrySchema,
  ),
  'library.remove': defineCall(z.object({ id: idSchema }), z.object({ removed: z.boolean() })),
  'library.dismissNotice': defineCall(z.object({}), z.object({ dismissed: z.boolean() })),
  /** Opens the library's stored copy with the model service. */
  'library.open': defineCall(
    z.object({ id: idSchema, operationId: operationIdSchema.optional() }),
    modelInfoSchema,
    {
      long: true,
    },
  ),
  'library.attachReference': defineCall(
    z.object({ id: idSchema, csvPath: filePathSchema, operationId: operationIdSchema.optional() }),
    libraryEntrySchema,
    { long: true },
  ),
  'library.detachReference': defineCall(z.object({ id: idSchema }), libraryEntrySchema),
  /** PSI of a CSV against the reference attached to the open model's library entry. */
  'library.drift': defineCall(
    scoringSetupSchema.extend({ operationId: operationIdSchema.optional() }),
    driftReportSchema,
    { long: true },
  ),
  'samples.list': defineCall(z.object({ modelId: z.string() }), z.array(goldenSampleSchema)),
  /** Predicts the payload with the open model and keeps it, with its outputs, as a named sample. */
  'samples.save': defineCall(
    z.object({
      modelId: z.string(),
      name: z.string().trim().min(1).max(200),
      payload: z.record(z.string(), z.unknown()),
    }),
    goldenSampleSchema,
  ),
  'samples.remove': defineCall(
    z.object({ modelId: z.string(), name: z.string() }),
    z.object({ removed: z.boolean() }),
  ),
  'samples.runAll': defineCall(z.object({ modelId: z.string() }), sampleRunReportSchema),
  'whatif.curve': defineCall(
    z.object({
      modelId: z.string(),
      payload: z.record(z.string(), z.unknown()),
      input: z.string(),
      from: z.number().finite().optional(),
      to: z.number().finite().optional(),
      points: z.number().int().min(2).max(500).optional(),
    }),
    whatIfCurveSchema,
  ),
  'compare.check': defineCall(z.object({ modelIdA: z.string(), modelIdB: z.string() }), compatibilitySchema),
  'compare.payload': defineCall(
    z.object({ modelIdA: z.string(), modelIdB: z.string(), payload: z.record(z.string(), z.unknown()) }),
    comparePayloadResultSchema,
  ),
  /** The same CSV through two models, read with Batch's settings (one reader). */
  'compare.csv': defineCall(
    scoringSetupSchema.extend({
      modelIdB: z.string(),
      threshold: z.number().min(0).max(1).default(0.5),
      /** A 0/1 (or class) column to judge both models against: adds `decisions` to the result. */
      labelColumn: z.string().min(1).optional(),
      operationId: operationIdSchema.optional(),
    }),
    compareCsvResultSchema,
    { long: true },
  ),
};
