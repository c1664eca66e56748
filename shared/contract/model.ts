import { readExpectedChecksum } from './checksum.ts';
import { defineCall, filePathSchema } from './define.ts';
import { z } from './zod.ts';

export const checksumAlgorithmSchema = z.enum(['sha256', 'md5']);

/**
 * A checksum the user expects: a hex digest (algorithm from its length) or a line of `sha256sum`/`md5sum`
 * output (`<hash>  <file>`, `<hash> *<file>`); parsed to the lower-case digest.
 */
export const expectedChecksumSchema = z.string().transform((text, context) => {
  const reading = readExpectedChecksum(text);
  if (reading.ok) return reading.hash;
  context.addIssue({ code: 'custom', message: reading.message });
  return z.NEVER;
});

/** xgboost: a native XGBoost model file (model.json, model.ubj, binary), converted like a pickle. */
export const modelFormatSchema = z.enum(['onnx', 'sklearn-pickle', 'sklearn-joblib', 'xgboost']);
export type ModelFormat = z.infer<typeof modelFormatSchema>;

/** ONNX element types as ModelDock names them (lower-case ONNX names). */
export const elementTypeSchema = z.enum([
  'float',
  'double',
  'float16',
  'int8',
  'int16',
  'int32',
  'int64',
  'uint8',
  'uint16',
  'uint32',
  'uint64',
  'bool',
  'string',
  // Named so a model that uses them says what they are; ModelDock can't build tensors of these from JSON.
  'complex64',
  'complex128',
  'bfloat16',
  'float8e4m3fn',
  'float8e4m3fnuz',
  'float8e5m2',
  'float8e5m2fnuz',
  'uint4',
  'int4',
  'float4e2m1',
  'unknown',
]);
export type ElementType = z.infer<typeof elementTypeSchema>;

/** A dimension is a fixed size, a symbolic name (such as "N"), or unknown. */
export const dimensionSchema = z.union([z.number().int(), z.string(), z.null()]);

export const modelInputSchema = z.object({
  name: z.string(),
  type: elementTypeSchema,
  shape: z.array(dimensionSchema),
  /** numeric or string; decides the form field and the CSV parsing. */
  kind: z.enum(['numeric', 'string', 'bool']),
  /** How many values one row carries: 1 for [N,1] or [N], F for [N,F]. */
  width: z.number().int().positive(),
  /** For [N,F] inputs: the feature names when the metadata carries them. */
  featureNames: z.array(z.string()).optional(),
  /** For string inputs: the categories the graph knows. */
  categories: z.array(z.string()).optional(),
  /**
   * The payload may leave this input out (or send null): the model was converted from a
   * scikit-learn pipeline that treats a missing value itself (DictVectorizer, SimpleImputer), and
   * ModelDock feeds NaN (numbers) or "" (text), which the graph reads exactly as scikit-learn would.
   */
  optional: z.boolean().optional(),
});
export type ModelInput = z.infer<typeof modelInputSchema>;

export const outputRoleSchema = z.enum(['label', 'probabilities', 'scores', 'value', 'other']);
export type OutputRole = z.infer<typeof outputRoleSchema>;

export const modelOutputSchema = z.object({
  name: z.string(),
  type: elementTypeSchema,
  shape: z.array(dimensionSchema),
  role: outputRoleSchema,
});
export type ModelOutput = z.infer<typeof modelOutputSchema>;

export const taskSchema = z.enum([
  'binary-classification',
  'multiclass-classification',
  'regression',
  'unknown',
]);
export type Task = z.infer<typeof taskSchema>;

export const modelMetadataSchema = z.object({
  irVersion: z.number().int(),
  opsetImports: z.array(z.object({ domain: z.string(), version: z.number().int() })),
  producerName: z.string(),
  producerVersion: z.string(),
  domain: z.string(),
  modelVersion: z.number().int(),
  docString: z.string(),
  metadataProps: z.record(z.string(), z.string()),
});
export type ModelMetadata = z.infer<typeof modelMetadataSchema>;

export const fileChecksumsSchema = z.object({
  path: z.string(),
  fileName: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  sha256: z.string(),
  md5: z.string(),
});
export type FileChecksums = z.infer<typeof fileChecksumsSchema>;

export const checksumCheckSchema = z.object({
  expected: z.string(),
  algorithm: checksumAlgorithmSchema,
  matches: z.boolean(),
});
export type ChecksumCheck = z.infer<typeof checksumCheckSchema>;

export const classLabelSchema = z.union([z.string(), z.number()]);

export const conversionInfoSchema = z.object({
  /** scikit-learn for pickles and joblib files (XGBoost's sklearn wrappers too), xgboost for its native files. */
  from: z.enum(['scikit-learn', 'xgboost']),
  sklearnVersion: z.string().optional(),
  steps: z.array(z.string()),
  /** Where the converted ONNX model is kept (the app's data directory). */
  convertedPath: z.string(),
  /**
   * Files opened together with the model file and combined with it into one pipeline (the
   * course's `dv.bin` saved beside `model.bin`), in pipeline order.
   */
  combinedWith: z.array(z.object({ path: z.string(), fileName: z.string(), sha256: z.string() })).optional(),
  convertedSha256: z.string(),
});

export const modelInfoSchema = z.object({
  modelId: z.string(),
  format: modelFormatSchema,
  /** The user's file, as opened. */
  file: fileChecksumsSchema,
  checksumCheck: checksumCheckSchema.optional(),
  inputs: z.array(modelInputSchema),
  outputs: z.array(modelOutputSchema),
  task: taskSchema,
  /** Class labels in the order of the probability columns (classifiers). */
  classLabels: z.array(classLabelSchema).optional(),
  /** For binary classifiers: the class whose probability is reported as `probability`. */
  positiveClass: classLabelSchema.optional(),
  metadata: modelMetadataSchema,
  /** True when the graph ended in a ZipMap that ModelDock bypassed in memory. */
  zipMapRemoved: z.boolean(),
  conversion: conversionInfoSchema.optional(),
  loadMs: z.number(),
});
export type ModelInfo = z.infer<typeof modelInfoSchema>;

/** What happens to payload fields that are not model inputs (main/models/payload.ts has the rule). */
export const unknownFieldsPolicySchema = z.enum(['ignore', 'refuse']);

export const predictionWarningSchema = z.object({
  code: z.enum(['unknown-category', 'coerced-value', 'ignored-field']),
  field: z.string(),
  message: z.string(),
  knownCategories: z.array(z.string()).optional(),
  row: z.number().int().optional(),
});
export type PredictionWarning = z.infer<typeof predictionWarningSchema>;

export const tensorValueSchema = z.object({
  type: elementTypeSchema,
  shape: z.array(z.number().int()),
  data: z.array(z.union([z.number(), z.string(), z.boolean()])),
});

export const predictionSchema = z.object({
  label: classLabelSchema.nullable(),
  /** Keyed by class label (as a string). Empty for regressors. */
  probabilities: z.record(z.string(), z.number()),
  /** Binary classifiers: the positive class's probability. */
  probability: z.number().optional(),
  /** Regressors: the predicted value. */
  value: z.number().optional(),
});
export type Prediction = z.infer<typeof predictionSchema>;

export const predictResultSchema = predictionSchema.extend({
  outputs: z.record(z.string(), tensorValueSchema),
  warnings: z.array(predictionWarningSchema),
  latencyMs: z.number(),
});
export type PredictResult = z.infer<typeof predictResultSchema>;

export const predictManyResultSchema = z.object({
  predictions: z.array(predictionSchema),
  warnings: z.array(predictionWarningSchema),
  latencyMs: z.number(),
});
export type PredictManyResult = z.infer<typeof predictManyResultSchema>;

export const operationIdSchema = z.string().min(1).max(100);

export const modelCalls = {
  'model.open': defineCall(
    z.object({
      path: filePathSchema,
      expectedChecksum: expectedChecksumSchema.optional(),
      operationId: operationIdSchema.optional(),
      /** Files saved beside this one (`dv.bin` with `model.bin`), combined with it into one pipeline. */
      companions: z.array(z.string().min(1)).max(16).optional(),
    }),
    modelInfoSchema,
    { long: true },
  ),
  'model.close': defineCall(z.object({ modelId: z.string() }), z.object({ closed: z.boolean() })),
  'model.list': defineCall(z.object({}), z.array(modelInfoSchema)),
  'model.verifyChecksum': defineCall(
    /** expected null forgets the expected checksum (the field was cleared): nothing left to mismatch. */
    z.object({ modelId: z.string(), expected: expectedChecksumSchema.nullable() }),
    checksumCheckSchema.nullable(),
  ),
  /**
   * payload: one row keyed by input name, or {instances: [...]} for several. Fields that are not
   * inputs are ignored with an `ignored-field` warning, or refused with unknownFields 'refuse'.
   */
  'model.predict': defineCall(
    z.object({
      modelId: z.string(),
      payload: z.unknown(),
      unknownFields: unknownFieldsPolicySchema.optional(),
    }),
    z.union([predictResultSchema, predictManyResultSchema]),
  ),
};
