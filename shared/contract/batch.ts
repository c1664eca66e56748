import {
  capacitySchema,
  modelDecisionsSchema,
  scoreHistogramSchema,
  scoreRankingSchema,
  thresholdMetricsSchema,
} from './decisions.ts';
import { defineCall, filePathSchema } from './define.ts';
import { driftReportSchema } from './drift.ts';
import { backgroundSummarySchema } from './explain.ts';
import { classLabelSchema, operationIdSchema } from './model.ts';
import { z } from './zod.ts';

/** Text encodings ModelDock reads; `utf-8-bom` is UTF-8 that starts with a byte-order mark. */
export const csvEncodingSchema = z.enum(['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252']);
export type CsvEncoding = z.infer<typeof csvEncodingSchema>;

export const csvDelimiterSchema = z.enum([',', ';', '\t', '|']);
export type CsvDelimiter = z.infer<typeof csvDelimiterSchema>;

/** `none` reads quote characters as ordinary text. */
export const csvQuoteSchema = z.enum(['"', "'", 'none']);
export type CsvQuote = z.infer<typeof csvQuoteSchema>;

export const csvDialectSchema = z.object({
  encoding: csvEncodingSchema,
  delimiter: csvDelimiterSchema,
  quote: csvQuoteSchema,
  hasHeader: z.boolean(),
});
export type CsvDialect = z.infer<typeof csvDialectSchema>;

/**
 * How numeric cells are read. `plain`: 1234.5 only (1,234.5 and 12,5 are refused with a message);
 * `thousands-comma`: 1,234.5; `decimal-comma`: 1.234,5 and 12,5.
 */
export const numberFormatSchema = z.enum(['plain', 'thousands-comma', 'decimal-comma']);
export type NumberFormat = z.infer<typeof numberFormatSchema>;

/**
 * What to do with an empty cell for one input: fail the row, put a value (or category) in, or — only
 * for an input the model marks `optional` — leave it out as scikit-learn does (NaN / "" go to the
 * converted graph, like a payload without the field). `omit` is the default for optional inputs,
 * `fail` for every other input.
 */
export const missingPolicySchema = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('fail') }),
  z.object({ mode: z.literal('fill'), value: z.string() }),
  z.object({ mode: z.literal('omit') }),
]);
export type MissingPolicy = z.infer<typeof missingPolicySchema>;

/** Model input name → the CSV column(s) that feed it (F columns for an [N,F] input). */
export const columnMappingSchema = z.record(z.string(), z.array(z.string()));
export type ColumnMapping = z.infer<typeof columnMappingSchema>;

export const mappingEntrySchema = z.object({
  input: z.string(),
  kind: z.enum(['numeric', 'string', 'bool']),
  /** One slot per value the input takes; null where no column matched. */
  columns: z.array(z.string().nullable()),
  /** The names the slots are matched by (the input name, or its feature names). */
  expectedNames: z.array(z.string()),
});
export type MappingEntry = z.infer<typeof mappingEntrySchema>;

export const csvInspectionSchema = z.object({
  path: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  detected: csvDialectSchema,
  /** The dialect used for the preview: the detected one with the request's overrides applied. */
  dialect: csvDialectSchema,
  columns: z.array(z.string()),
  /** The first rows as read with `dialect`. */
  preview: z.array(z.array(z.string())),
  mapping: z.array(mappingEntrySchema),
  /** Inputs with no column; the run is blocked until they are mapped. */
  unmappedInputs: z.array(z.string()),
  /** A column that looks like a 0/1 or yes/no label (e.g. `converted`), when there is one. */
  suggestedLabelColumn: z.string().optional(),
  /** The number format the run uses: the request's, else the one the file's numeric cells show. */
  numberFormat: numberFormatSchema,
  /** What the file's numeric cells show (decimal commas in a `;` file: `decimal-comma`). */
  detectedNumberFormat: numberFormatSchema,
});
export type CsvInspection = z.infer<typeof csvInspectionSchema>;

const dialectOverridesSchema = csvDialectSchema.partial();

/**
 * What to do with a category the model was not trained on (main/models/payload.ts unseenCategoryRule):
 * `count` scores the row as the model does (scikit-learn's handle_unknown='ignore') and reports the
 * values; `fail` makes the row a row error.
 */
export const unseenCategoriesPolicySchema = z.enum(['count', 'fail']);
export type UnseenCategoriesPolicy = z.infer<typeof unseenCategoriesPolicySchema>;

/**
 * How a CSV is read: the same settings for Batch, Compare, Drift and reference profiles (one reader,
 * main/scoring/row-reader.ts). `numberFormat` unset: the one detected from the file (inspection).
 */
export const scoringSetupSchema = z.object({
  modelId: z.string(),
  path: filePathSchema,
  dialect: dialectOverridesSchema.optional(),
  mapping: columnMappingSchema.optional(),
  missing: z.record(z.string(), missingPolicySchema).optional(),
  numberFormat: numberFormatSchema.optional(),
  unseenCategories: unseenCategoriesPolicySchema.default('count'),
});

/**
 * Unseen categories by input: the most frequent values (at most 20) with their row counts, e.g.
 * {"lead_source": {"webinar": 282}}. Inputs without any are left out.
 */
export const unseenCategoriesSchema = z.record(z.string(), z.record(z.string(), z.number().int()));
export type UnseenCategories = z.infer<typeof unseenCategoriesSchema>;
export type ScoringSetup = z.input<typeof scoringSetupSchema>;

export const inputCheckSchema = z.object({
  input: z.string(),
  /** The policy the run applies to this input's empty cells (the default when the request named none). */
  policy: missingPolicySchema.optional(),
  /** Rows with an empty cell for this input. */
  missingRows: z.number().int().nonnegative(),
  /** Rows whose cell for this input can't be read (text in a numeric column, 1,234.5 in plain mode…). */
  invalidRows: z.number().int().nonnegative(),
  /** A few examples of unreadable cells with the reason. */
  examples: z.array(z.object({ line: z.number().int(), value: z.string(), reason: z.string() })),
});
export type InputCheck = z.infer<typeof inputCheckSchema>;

/** A full pass over the file before the run: what the missing-value policy and number format will do. */
export const scoringCheckSchema = z.object({
  rows: z.number().int().nonnegative(),
  inputs: z.array(inputCheckSchema),
  /** Rows that would fail (any input missing under "fail", unreadable, or the wrong number of fields). */
  failingRows: z.number().int().nonnegative(),
  raggedRows: z.number().int().nonnegative(),
  unseenCategories: unseenCategoriesSchema,
  /** Rows with an unseen category, per input (all values, not only the 20 shown). */
  unseenRows: z.record(z.string(), z.number().int()),
});
export type ScoringCheck = z.infer<typeof scoringCheckSchema>;

export const labelMetricsSchema = z.object({
  labelColumn: z.string(),
  positiveClass: classLabelSchema,
  /** Rows with a usable label (scored rows whose label cell matched a class). */
  rows: z.number().int(),
  positives: z.number().int(),
  /** Scored rows whose label cell was empty or not one of the model's classes. */
  rowsWithoutLabel: z.number().int(),
  rocAuc: z.number().nullable(),
  logLoss: z.number(),
  atThreshold: thresholdMetricsSchema,
  /** Confusion counts at thresholds 0, 0.01, …, 1 so the UI can move the threshold without a rerun. */
  thresholdTable: z.array(thresholdMetricsSchema),
  rocCurve: z.array(z.object({ fpr: z.number(), tpr: z.number() })),
  calibration: z.array(
    z.object({
      from: z.number(),
      to: z.number(),
      meanPredicted: z.number(),
      observedRate: z.number(),
      count: z.number(),
    }),
  ),
  /** ROC and precision-recall curves, gains and lift by decile, capacity, quantile calibration (main/analysis). */
  decisions: modelDecisionsSchema.optional(),
});
export type LabelMetrics = z.infer<typeof labelMetricsSchema>;

export const batchReportSchema = z.object({
  /** What the histogram and top rows rank by: the positive-class probability, the top probability, or the value. */
  scoreName: z.string(),
  histogram: z.array(z.object({ from: z.number(), to: z.number(), count: z.number().int() })),
  topRows: z.object({
    columns: z.array(z.string()),
    rows: z.array(z.object({ line: z.number().int(), score: z.number(), cells: z.array(z.string()) })),
  }),
  metrics: labelMetricsSchema.optional(),
  /** Bars over the scores actually seen (Freedman–Diaconis), split by label when there is one. */
  scoreHistogram: scoreHistogramSchema.optional(),
  /** Capacity at 5, 10, 20, 30 and 50 % of the scored rows (with the label's figures when there is one). */
  capacity: z.array(capacitySchema).optional(),
  /** The scores highest first, for the capacity field and the threshold slider. */
  ranking: scoreRankingSchema.optional(),
  /** The capacity asked for with the run (`--capacity`), selected exactly. */
  selection: capacitySchema.optional(),
});
export type BatchReport = z.infer<typeof batchReportSchema>;

export const scoringSummarySchema = z.object({
  /** The run's id in the history (history.get), when it was kept. */
  runId: z.string().optional(),
  rows: z.number().int(),
  scored: z.number().int(),
  failed: z.number().int(),
  seconds: z.number(),
  rowsPerSecond: z.number(),
  outputPath: z.string(),
  errorsPath: z.string().optional(),
  /** The prediction columns appended to the original ones. */
  addedColumns: z.array(z.string()),
  /** Failed rows by reason, e.g. {"missing value": 12}. */
  failuresByReason: z.record(z.string(), z.number().int()),
  dialect: csvDialectSchema,
  numberFormat: numberFormatSchema,
  report: batchReportSchema,
  unseenCategories: unseenCategoriesSchema,
  unseenRows: z.record(z.string(), z.number().int()),
  /** Drift against the reference attached to the model (or given), computed in the same pass. */
  drift: driftReportSchema.optional(),
  /**
   * A run with explanations (`score --explain`): the driver columns' source and the global importance —
   * mean |contribution| per input, and mean contribution per input in each score decile (1 = lowest).
   */
  explanations: z
    .object({
      method: z.enum(['exact', 'sampled']),
      background: backgroundSummarySchema,
      /** Rows the model scored to explain one row. */
      modelRowsPerRow: z.number().int(),
      inputs: z.array(z.string()),
      meanAbsolute: z.array(z.number()),
      byDecile: z.array(
        z.object({
          decile: z.number().int(),
          rows: z.number().int(),
          minScore: z.number(),
          maxScore: z.number(),
          meanContribution: z.array(z.number()),
        }),
      ),
      rows: z.number().int(),
    })
    .optional(),
});
export type ScoringSummary = z.infer<typeof scoringSummarySchema>;

/**
 * A page of a run's output for the results table: sorted by one column, filtered by text per column
 * (case-insensitive "contains") and by a numeric range on one column (the score), over the whole file.
 */
export const resultRowsRequestSchema = z.object({
  path: filePathSchema,
  /** The output's delimiter (the input's: summary.dialect.delimiter). */
  delimiter: csvDelimiterSchema,
  /** How the output's numbers are written (summary.numberFormat), for numeric sorting and the range. */
  numberFormat: numberFormatSchema.optional(),
  offset: z.number().int().nonnegative(),
  limit: z.number().int().min(1).max(1000),
  sort: z.object({ column: z.string(), direction: z.enum(['asc', 'desc']) }).optional(),
  filters: z.record(z.string(), z.string()).optional(),
  range: z.object({ column: z.string(), min: z.number().optional(), max: z.number().optional() }).optional(),
});
export type ResultRowsRequest = z.infer<typeof resultRowsRequestSchema>;

export const resultRowsPageSchema = z.object({
  columns: z.array(z.string()),
  /** Data rows in the file. */
  total: z.number().int(),
  /** Rows that pass the filters. */
  matching: z.number().int(),
  offset: z.number().int(),
  /** `row` is the row's number in the file (0 = the first data row). */
  rows: z.array(z.object({ row: z.number().int(), cells: z.array(z.string()) })),
});
export type ResultRowsPage = z.infer<typeof resultRowsPageSchema>;

export const batchCalls = {
  /** A page of a run's output, sorted and filtered over the whole file (indexed once per sort and filter). */
  'batch.rows': defineCall(resultRowsRequestSchema, resultRowsPageSchema),
  /** Detects the dialect, reads a preview and proposes a column for each model input. Quick. */
  'batch.inspect': defineCall(scoringSetupSchema, csvInspectionSchema),
  /** Reads the whole file once and counts missing and unreadable cells per input, before a run. */
  'batch.check': defineCall(
    scoringSetupSchema.extend({ operationId: operationIdSchema.optional() }),
    scoringCheckSchema,
    { long: true },
  ),
  'batch.score': defineCall(
    scoringSetupSchema.extend({
      outputPath: filePathSchema,
      /** Replace an existing output file; the UI asks first, the CLI needs --force. */
      overwrite: z.boolean().default(false),
      labelColumn: z.string().optional(),
      threshold: z.number().min(0).max(1).default(0.5),
      /** Explain every row (top 3 drivers as columns, global importance): background from the CSV, else as model.explain. */
      explain: z.object({ backgroundCsv: z.string().min(1).optional() }).optional(),
      operationId: operationIdSchema.optional(),
    }),
    scoringSummarySchema,
    { long: true },
  ),
  /** Writes the report as one self-contained HTML file (charts inline, no external resources). */
  'batch.saveReport': defineCall(
    z.object({
      path: filePathSchema,
      summary: scoringSummarySchema,
      modelName: z.string(),
      threshold: z.number().min(0).max(1).optional(),
      overwrite: z.boolean().default(false),
      /** The run's drift against the model's reference (summary.drift), when there is one. */
      drift: driftReportSchema.optional(),
      /** The run in the history: its checksums and settings go into the report's audit section. */
      runId: z.string().optional(),
    }),
    z.object({ path: z.string(), bytes: z.number().int() }),
  ),
};
