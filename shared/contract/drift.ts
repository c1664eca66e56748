import { PSI_BAND_NAMES } from '../drift-bands.ts';
import { z } from './zod.ts';

export const psiBandSchema = z.enum(PSI_BAND_NAMES);
export type PsiBand = z.infer<typeof psiBandSchema>;

export const psiBinSchema = z.object({
  label: z.string(),
  referenceShare: z.number(),
  currentShare: z.number(),
});

export const featureDriftSchema = z.object({
  name: z.string(),
  kind: z.enum(['numeric', 'categorical']),
  psi: z.number(),
  band: psiBandSchema,
  bins: z.array(psiBinSchema),
  /** Categorical inputs: rows whose category the reference never had. */
  unseenCount: z.number().int().nonnegative().optional(),
  unseenCategories: z.array(z.string()).optional(),
  /** Cells that were empty or not numbers, left out of the shares. */
  missingReference: z.number().int().nonnegative(),
  missingCurrent: z.number().int().nonnegative(),
});
export type FeatureDrift = z.infer<typeof featureDriftSchema>;

export const driftReportSchema = z.object({
  referenceRows: z.number().int(),
  currentRows: z.number().int(),
  epsilon: z.number(),
  features: z.array(featureDriftSchema),
  /** PSI of the model's scores on the reference's score deciles; absent when no scores were given. */
  score: featureDriftSchema.optional(),
});
export type DriftReport = z.infer<typeof driftReportSchema>;
