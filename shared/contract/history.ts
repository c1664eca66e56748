import { defineCall } from './define.ts';
import { z } from './zod.ts';

/**
 * Run history: each batch and compare run, kept in the library's catalog with what it takes to trust and
 * repeat it (model and input checksums, every setting), its figures and where its outputs went.
 */

export const runModelSchema = z.object({
  /** "model" for a batch run; "a" and "b" for a comparison. */
  role: z.enum(['model', 'a', 'b']),
  fileName: z.string(),
  path: z.string(),
  sha256: z.string(),
  /** The library's name and version label for it, when the library keeps it. */
  name: z.string().optional(),
  versionLabel: z.string().optional(),
});

export const runRecordSchema = z.object({
  id: z.string(),
  kind: z.enum(['batch', 'compare']),
  /** Where it ran: the app (Electron or browser mode) or the CLI. */
  via: z.enum(['app', 'cli']),
  finishedAt: z.string(),
  models: z.array(runModelSchema),
  input: z.object({
    fileName: z.string(),
    path: z.string(),
    sizeBytes: z.number().int().nonnegative(),
    sha256: z.string(),
  }),
  /** Every setting the run used (mapping, missing-value policy, number format, dialect, threshold, label column…). */
  settings: z.record(z.string(), z.unknown()),
  /** The headline figures (rows, scored, failed, ROC AUC…), for the list. */
  metrics: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  /** Files the run wrote: scored CSV, errors, report. */
  outputs: z.record(z.string(), z.string()),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export const historyCalls = {
  /** Every kept run, newest first. */
  'history.list': defineCall(z.object({}), z.array(runRecordSchema)),
  /** One run with its full result (the batch summary with its report, or the comparison), to reopen it. */
  'history.get': defineCall(
    z.object({ id: z.string().min(1).max(100) }),
    z.object({ record: runRecordSchema, result: z.unknown() }),
  ),
};
