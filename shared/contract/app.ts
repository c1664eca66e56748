import { defineCall } from './define.ts';
import { z } from './zod.ts';

export const appCalls = {
  'app.info': defineCall(
    z.object({}),
    z.object({
      version: z.string(),
      node: z.string(),
      onnxruntime: z.string(),
      electron: z.string().optional(),
      mode: z.enum(['electron', 'browser', 'cli']),
      dataDir: z.string(),
    }),
  ),
  /** Stops a long call (open, score, export) started with this operationId. */
  'operation.cancel': defineCall(z.object({ operationId: z.string() }), z.object({ cancelled: z.boolean() })),
};
