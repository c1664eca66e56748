import { appCalls } from './app.ts';
import { batchCalls } from './batch.ts';
import type { CallSpec } from './define.ts';
import { explainCalls } from './explain.ts';
import { exportCalls } from './export.ts';
import { historyCalls } from './history.ts';
import { libraryCalls } from './library.ts';
import { modelCalls } from './model.ts';
import type { z } from './zod.ts';

export * from './app.ts';
export * from './batch.ts';
export * from './checksum.ts';
export * from './decisions.ts';
export * from './define.ts';
export * from './drift.ts';
export * from './errors.ts';
export * from './events.ts';
export * from './explain.ts';
export * from './export.ts';
export * from './history.ts';
export * from './library.ts';
export * from './model.ts';
export * from './web-host.ts';

/** Every call between renderer and main. Feature contracts add their calls here. */
export const calls = {
  ...appCalls,
  ...batchCalls,
  ...modelCalls,
  ...libraryCalls,
  ...exportCalls,
  ...historyCalls,
  ...explainCalls,
} satisfies Record<string, CallSpec>;

export type Calls = typeof calls;
export type CallName = keyof Calls;
export type CallRequest<N extends CallName> = z.input<Calls[N]['request']>;
export type CallResponse<N extends CallName> = z.output<Calls[N]['response']>;

/** What a transport returns: a response or a typed error, never a thrown stack trace. */
export type CallResult<N extends CallName> =
  | { ok: true; value: CallResponse<N> }
  | { ok: false; error: import('./errors.ts').AppErrorData };
