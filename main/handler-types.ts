import type { z } from 'zod';
import type { CallName, CallResponse, Calls, ProgressEvent } from '../shared/contract/index.ts';

/**
 * The handler table's types, apart from the table itself (handlers.ts) so that the table and the
 * feature handlers it is built from don't import each other.
 */

/** What a transport passes with each call: a way to send progress events and its cancel signal. */
export interface CallContext {
  emit: (event: ProgressEvent) => void;
  signal: AbortSignal;
}

/**
 * What a handler gets besides its request. For a long call (the contract's `long` flag) dispatch has
 * already registered the operation: `signal` is the operation's (cancelled by `operation.cancel` or the
 * transport), and `progress` sends events under the caller's operationId (nothing when it gave none).
 */
export interface HandlerContext extends CallContext {
  progress: (event: Omit<ProgressEvent, 'operationId'>) => void;
}

export type Handler<N extends CallName> = (
  request: z.output<Calls[N]['request']>,
  context: HandlerContext,
) => Promise<CallResponse<N>>;

export type HandlerTable = { [N in CallName]: Handler<N> };
