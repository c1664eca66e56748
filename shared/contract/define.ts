import type { z } from './zod.ts';

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
