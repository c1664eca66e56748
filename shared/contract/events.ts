import { z } from './zod.ts';

/** Progress of a long call, keyed by the operationId the caller chose. */
export const progressEventSchema = z.object({
  operationId: z.string(),
  /** What is being done, for a person: "Computing checksums", "Scoring", … */
  stage: z.string(),
  done: z.number().nonnegative(),
  total: z.number().nonnegative().optional(),
  unit: z.enum(['bytes', 'rows', 'files', 'steps']),
  /** Extra figures for the stage (rows/s, ETA seconds, bytes done, …). */
  stats: z.record(z.string(), z.number()).optional(),
});
export type ProgressEvent = z.infer<typeof progressEventSchema>;

export const events = {
  progress: progressEventSchema,
};
export type EventName = keyof typeof events;
