import { errorCodes } from './error-codes.ts';
import { z } from './zod.ts';

export { errorCodes };

export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const appErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  details: z.unknown().optional(),
});
export type AppErrorData = z.infer<typeof appErrorSchema>;

/** Model-file problems exit the CLI with 3, payload problems with 4 (see docs/cli.md). */
export const modelFileErrorCodes: readonly ErrorCode[] = [
  'file-not-found',
  'not-a-file',
  'empty-file',
  'file-too-large',
  'unsupported-format',
  'corrupt-model',
  'unsupported-model',
  'refused-pickle',
  'checksum-mismatch',
];
