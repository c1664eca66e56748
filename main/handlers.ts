import type { z } from 'zod';
import {
  type AppErrorData,
  type CallName,
  type CallResponse,
  type CallResult,
  type Calls,
  calls,
  type ProgressEvent,
} from '../shared/contract/index.ts';
import { AppError, toAppErrorData } from './errors.ts';
import { exportHandlers } from './export/handlers.ts';
import { keepInLibrary, libraryHandlers } from './library/handlers.ts';
import { batchHandlers } from './scoring/handlers.ts';
import type { AppServices } from './services.ts';

/** What a handler gets besides its request: a way to report progress and a cancel signal. */
export interface CallContext {
  emit: (event: ProgressEvent) => void;
  signal: AbortSignal;
}

type Handler<N extends CallName> = (
  request: z.output<Calls[N]['request']>,
  context: CallContext,
) => Promise<CallResponse<N>>;

export type HandlerTable = { [N in CallName]: Handler<N> };

/** The one table: contract call name → service function. Both transports and the tests use it. */
export function createHandlerTable(services: AppServices): HandlerTable {
  const { models, operations } = services;
  return {
    'app.info': async () => services.appInfo(),
    'operation.cancel': async ({ operationId }) => ({ cancelled: operations.cancel(operationId) }),
    'model.open': async ({ path, expectedChecksum, operationId, companions }, { emit, signal }) => {
      const info = await operations.run(operationId, signal, (opSignal) =>
        models.open(path, {
          expectedChecksum,
          ...(companions?.length ? { companions } : {}),
          signal: opSignal,
          onProgress: operationId
            ? (done, total) => emit({ operationId, stage: 'Computing checksums', done, total, unit: 'bytes' })
            : undefined,
        }),
      );
      // A model combined from several files is not one file the library could keep and reopen alone.
      return companions?.length ? info : keepInLibrary(services, info);
    },
    'model.close': async ({ modelId }) => ({ closed: await models.close(modelId) }),
    'model.list': async () => models.list(),
    'model.verifyChecksum': async ({ modelId, expected }) => models.verifyChecksum(modelId, expected),
    'model.predict': async ({ modelId, payload, unknownFields }) =>
      models.predict(modelId, payload, unknownFields ? { unknownFields } : {}),
    'model.explain': async ({ modelId, payload, ...options }, { signal }) =>
      services.explainer.explain(modelId, payload, { ...options, signal }),
    ...libraryHandlers(services),
    ...batchHandlers(services),
    ...exportHandlers(services),
  };
}

/**
 * Validates a raw request against the contract, runs its handler, and returns a typed result.
 * This is the only entrance to main from any transport.
 */
export async function dispatch<N extends CallName>(
  table: HandlerTable,
  // Typed for in-process callers; transports pass whatever name arrived and it is checked below.
  name: N | (string & {}),
  rawRequest: unknown,
  context: CallContext,
): Promise<CallResult<N>> {
  if (!Object.hasOwn(calls, name)) {
    return { ok: false, error: { code: 'bad-request', message: `There is no call named "${name}".` } };
  }
  const callName = name as N;
  const parsed = calls[callName].request.safeParse(rawRequest ?? {});
  if (!parsed.success) {
    const error: AppErrorData = {
      code: 'bad-request',
      message: `The request for ${name} is not valid: ${parsed.error.issues
        .map((issue) => `${issue.path.join('.') || 'request'}: ${issue.message}`)
        .join('; ')}.`,
      details: parsed.error.issues.map((issue) => ({ path: issue.path.map(String), message: issue.message })),
    };
    return { ok: false, error };
  }
  try {
    const handler = table[callName] as Handler<N>;
    const value = await handler(parsed.data as z.output<Calls[N]['request']>, context);
    return { ok: true, value };
  } catch (error) {
    if (!(error instanceof AppError)) logUnexpectedError(name, error);
    return { ok: false, error: toAppErrorData(error) };
  }
}

function logUnexpectedError(name: string, error: unknown): void {
  // Unexpected errors are logged with their stack here, in main; only the typed error crosses.
  console.error(`[modeldock] unexpected error in ${name}:`, error);
}
