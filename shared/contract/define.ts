import { z } from './zod.ts';

/** One call between renderer and main: its request and response schemas, declared once. */
export interface CallSpec<Req extends z.ZodType = z.ZodType, Res extends z.ZodType = z.ZodType> {
  request: Req;
  response: Res;
  /** Long calls report progress through events and can be cancelled by operationId. */
  long?: boolean;
}

export function defineCall<Req extends z.ZodType, Res extends z.ZodType>(
  request: Req,
  response: Res,
  options: { long?: boolean } = {},
): CallSpec<Req, Res> {
  return { request, response, ...options };
}

/**
 * Longest file path a request may carry. Real paths stay far below it (Linux's PATH_MAX is 4096 bytes,
 * Windows long paths 32,767 characters); without a bound, a 9 MB "path" reached the file system, which
 * answered with an error quoting it, and browser mode logged ~18 MB per request.
 */
export const maxPathLength = 32_767;

/** A file path in a request: non-empty and bounded, checked at the boundary with every other field. */
export const filePathSchema = z
  .string()
  .min(1)
  .max(maxPathLength, `A file path is at most ${maxPathLength} characters long.`);
