import { defineCall, filePathSchema } from './define.ts';
import { operationIdSchema } from './model.ts';
import { z } from './zod.ts';

export const bundleFormatSchema = z.enum(['dir', 'zip', 'tar.gz']);
export type BundleFormat = z.infer<typeof bundleFormatSchema>;

/** A bundle name: what the service, the image and the OIP v2 model are called. */
export const bundleNameSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/,
    'use 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit',
  );

export const versionLabelSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/,
    'use 1–64 letters, digits, dots, dashes, plus signs or underscores',
  );

export const exportResultSchema = z.object({
  /** The bundle folder, or the archive file. */
  path: z.string(),
  format: bundleFormatSchema,
  name: z.string(),
  version: z.string(),
  /** Files in the bundle, relative to its folder. */
  files: z.array(z.string()),
  sizeBytes: z.number().int().nonnegative(),
  /** SHA-256 of model/model.onnx (what the service serves and checks at start). */
  modelSha256: z.string(),
  /** Commands to build, run and check the service, for a person to copy. */
  nextCommands: z.array(z.string()),
  /** The README's example: the first sample payload and ModelDock's answer. */
  example: z.object({
    payload: z.record(z.string(), z.unknown()),
    response: z.record(z.string(), z.unknown()),
  }),
  /** The drift reference the bundle watches (its profile only: bin edges and shares, never rows). */
  drift: z
    .object({
      fileName: z.string(),
      referenceRows: z.number().int().nonnegative(),
      features: z.number().int().nonnegative(),
      score: z.boolean(),
      /**
       * Per input, the reference's empty cells left out of its profile: the input is required, so the
       * service never scores a missing value there (its profile describes what the service scores).
       */
      emptyCellsLeftOut: z.record(z.string(), z.number().int().positive()).optional(),
    })
    .optional(),
});
export type ExportResult = z.infer<typeof exportResultSchema>;

export const exportCalls = {
  /** Suggested name, version label and target folder for a model's bundle. */
  'export.defaults': defineCall(
    z.object({ modelId: z.string() }),
    z.object({
      name: z.string(),
      version: z.string(),
      outDir: z.string(),
      exportable: z.boolean(),
      reason: z.string().optional(),
      /** The drift reference attached to the model in the library, which the bundle watches by default. */
      driftReference: z.object({ fileName: z.string(), rows: z.number().int().nonnegative() }).optional(),
    }),
  ),
  /** Writes a Docker deployment bundle for an open model (temp folder, then rename; never half a bundle). */
  'export.bundle': defineCall(
    z.object({
      modelId: z.string(),
      outDir: filePathSchema,
      name: bundleNameSchema.optional(),
      version: versionLabelSchema.optional(),
      format: bundleFormatSchema.default('dir'),
      /** Replace an existing target (the UI asks first). */
      force: z.boolean().default(false),
      /** Watch the model's attached drift reference (default: yes, when one is attached). */
      drift: z.boolean().optional(),
      /**
       * Put background rows into the bundle so it answers POST /explain: from `backgroundCsv`, else the
       * model's attached reference CSV, else its golden samples (at most 1,000 rows; they are data).
       */
      explain: z.object({ backgroundCsv: z.string().min(1).optional() }).optional(),
      operationId: operationIdSchema.optional(),
    }),
    exportResultSchema,
    { long: true },
  ),
};
