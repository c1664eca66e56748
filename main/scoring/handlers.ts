import type { CallName, ProgressEvent } from '../../shared/contract/index.ts';
import type { HandlerTable } from '../handlers.ts';
import type { OperationRegistry } from '../operations.ts';
import type { ScoringService } from './scoring-service.ts';
import type { EngineProgress } from './types.ts';

type BatchCallName = Extract<CallName, `batch.${string}`>;

interface BatchServices {
  scoring: ScoringService;
  operations: OperationRegistry;
}

function progressEvent(operationId: string, stage: string, progress: EngineProgress): ProgressEvent {
  return {
    operationId,
    stage,
    done: progress.bytesDone,
    total: progress.bytesTotal,
    unit: 'bytes',
    stats: { rows: progress.rows, rowsPerSecond: progress.rowsPerSecond, etaSeconds: progress.etaSeconds },
  };
}

/** Batch scoring's rows of the handler table (spread into createHandlerTable). */
export function batchHandlers(services: BatchServices): Pick<HandlerTable, BatchCallName> {
  const { scoring, operations } = services;
  return {
    'batch.inspect': async (request) => scoring.inspect(request),
    'batch.check': async ({ operationId, ...setup }, { emit, signal }) =>
      operations.run(operationId, signal, (opSignal) =>
        scoring.check(setup, {
          signal: opSignal,
          onProgress: operationId
            ? (progress) => emit(progressEvent(operationId, 'Checking', progress))
            : undefined,
        }),
      ),
    'batch.score': async ({ operationId, ...request }, { emit, signal }) =>
      operations.run(operationId, signal, (opSignal) =>
        scoring.score(request, {
          signal: opSignal,
          onProgress: operationId
            ? (progress) => emit(progressEvent(operationId, 'Scoring', progress))
            : undefined,
        }),
      ),
    'batch.saveReport': async (request) => scoring.saveReport(request),
  };
}
