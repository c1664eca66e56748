import type { z } from 'zod';
import {
  type AppErrorData,
  type CallName,
  type CallResponse,
  type CallResult,
  type Calls,
  calls,
} from '../shared/contract/index.ts';
import { explainCost } from './analysis/explain-batch.ts';
import { analysisHandlers } from './analysis/handlers.ts';
import { AppError, toAppErrorData } from './errors.ts';
import { exportHandlers } from './export/handlers.ts';
import type { CallContext, Handler, HandlerTable } from './handler-types.ts';
import { keepInLibrary, libraryHandlers } from './library/handlers.ts';
import type { AppLog } from './logging/app-log.ts';
import { OperationRegistry } from './operations.ts';
import { batchHandlers } from './scoring/handlers.ts';
import type { AppServices } from './services.ts';

export type { CallContext, HandlerContext, HandlerTable } from './handler-types.ts';

/** The registry each table's long calls run under (`operation.cancel` stops them). */
const registries = new WeakMap<object, OperationRegistry>();

function operationsFor(table: HandlerTable): OperationRegistry {
  let registry = registries.get(table);
  if (!registry) {
    registry = new OperationRegistry();
    registries.set(table, registry);
  }
  return registry;
}

/** The one table: contract call name → service function. Both transports and the tests use it. */
export function createHandlerTable(services: AppServices): HandlerTable {
  const table = logUnexpectedErrors(handlerRows(services), services.log);
  registries.set(table, services.operations);
  return table;
}

function handlerRows(services: AppServices): HandlerTable {
  const { models, operations } = services;
  const table: HandlerTable = {
    'app.info': async () => services.appInfo(),
    'operation.cancel': async ({ operationId }) => ({ cancelled: operations.cancel(operationId) }),
    'model.open': async ({ path, expectedChecksum, companions }, { signal, progress }) => {
      const info = await models.open(path, {
        expectedChecksum,
        ...(companions?.length ? { companions } : {}),
        signal,
        onProgress: (done, total) => progress({ stage: 'Computing checksums', done, total, unit: 'bytes' }),
      });
      // A model combined from several files is not one file the library could keep and reopen alone.
      return companions?.length ? info : keepInLibrary(services, info);
    },
    'model.close': async ({ modelId }) => ({ closed: await models.close(modelId) }),
    'model.list': async () => models.list(),
    'model.verifyChecksum': async ({ modelId, expected }) => models.verifyChecksum(modelId, expected),
    'model.predict': async ({ modelId, payload, unknownFields }) =>
      models.predict(modelId, payload, unknownFields ? { unknownFields } : {}),
    'model.explainBackground': async ({ modelId, backgroundCsv }) => {
      const background = await services.explainer.background(modelId, { backgroundCsv });
      const inputs = models.get(modelId).info.inputs.length;
      const cost = explainCost(inputs, background.rows.length, 1);
      return { background: background.summary, method: cost.method, modelRowsPerRow: cost.modelRowsPerRow };
    },
    'model.explain': async ({ modelId, payload, ...options }, { signal }) =>
      services.explainer.explain(modelId, payload, { ...options, signal }),
    ...libraryHandlers(services),
    ...analysisHandlers(services),
    ...batchHandlers(services),
    ...exportHandlers(services),
  };
  return table;
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
    const request = parsed.data as z.output<Calls[N]['request']>;
    let value: CallResponse<N>;
    if (calls[callName].long) {
      // Long calls, once for all: registered under the caller's operationId so `operation.cancel` can
      // stop them, and their progress sent under that id.
      const operationId = (request as { operationId?: string }).operationId;
      value = await operationsFor(table).run(operationId, context.signal, (signal) =>
        handler(request, {
          emit: context.emit,
          signal,
          progress: (event) => {
            if (operationId !== undefined) context.emit({ operationId, ...event });
          },
        }),
      );
    } else value = await handler(request, { ...context, progress: () => undefined });
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
