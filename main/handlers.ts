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
import type { AppLog } from './logging/app-log.ts';
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
  return logUnexpectedErrors(handlerRows(services), services.log);
}

function handlerRows(services: AppServices): HandlerTable {
  const { models, operations } = services;
  return {
    'app.info': async () => services.appInfo(),
    'operation.cancel': async ({ operationId }) => ({ cancelled: operations.cancel(operationId) }),
    'model.open': async ({ path, expectedChecksum, operationId }, { emit, signal }) =>
      keepInLibrary(
        services,
        await operations.run(operationId, signal, (opSignal) =>
          models.open(path, {
            expectedChecksum,
            signal: opSignal,
            onProgress: operationId
              ? (done, total) =>
                  emit({ operationId, stage: 'Computing checksums', done, total, unit: 'bytes' })
              : undefined,
          }),
        ),
      ),
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
    // Unexpected errors were logged, with their stack, by the table's wrapper (createHandlerTable).
    return { ok: false, error: toAppErrorData(error) };
  }
}

/**
 * Every handler, wrapped once: an error that is not a typed AppError (a bug, a failed disk) is logged with its
 * stack in the process's log (modeldock.log in the desktop app), where "the log has the details" sends the
 * user; only the typed error crosses to the UI.
 */
function logUnexpectedErrors(table: HandlerTable, log: Pick<AppLog, 'error'>): HandlerTable {
  const wrapped: Record<string, Handler<CallName>> = {};
  for (const [name, handler] of Object.entries(table) as [CallName, Handler<CallName>][]) {
    wrapped[name] = async (request, context) => {
      try {
        return await handler(request, context);
      } catch (error) {
        if (!(error instanceof AppError) && !isAbort(error, context.signal))
          log.error('unexpected error', error, { call: name });
        throw error;
      }
    };
  }
  return wrapped as HandlerTable;
}

/** A cancelled call is not a failure worth a log line. */
function isAbort(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof Error && error.name === 'AbortError');
}
