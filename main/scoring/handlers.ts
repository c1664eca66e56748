import type { CallName, ModelInfo, ProgressEvent } from '../../shared/contract/index.ts';
import type { ExplainService } from '../analysis/explain-service.ts';
import type { HandlerContext, HandlerTable } from '../handler-types.ts';
import type { LibraryService } from '../library/library-service.ts';
import { batchRunRecord, describeInputFileEarly } from '../library/run-history.ts';
import type { ScoringService } from './scoring-service.ts';
import type { EngineProgress, EngineStage } from './types.ts';

type BatchCallName = Extract<CallName, `batch.${string}`>;

interface BatchServices {
  scoring: ScoringService;
  explainer: Pick<ExplainService, 'background'>;
  library: Pick<LibraryService, 'referenceProfileFor' | 'recordRun' | 'getRun'>;
  models: { get(modelId: string): { info: ModelInfo } };
}

/** What the progress bar says in each stage of a pass. */
export function stageName(reading: string, stage: EngineStage): string {
  if (stage === 'explaining') return 'Explaining rows';
  if (stage === 'metrics') return 'Computing metrics';
  if (stage === 'writing') return 'Writing the output';
  return reading;
}

/** Progress of a pass over a CSV as a progress event, named by its stage. */
export function passProgress(
  context: Pick<HandlerContext, 'progress'>,
  reading: string,
): (progress: EngineProgress) => void {
  return (progress) => {
    const event: Omit<ProgressEvent, 'operationId'> = {
      stage: stageName(reading, progress.stage),
      done: progress.bytesDone,
      total: progress.bytesTotal,
      unit: 'bytes',
      stats: { rows: progress.rows, rowsPerSecond: progress.rowsPerSecond, etaSeconds: progress.etaSeconds },
    };
    context.progress(event);
  };
}

/** Batch scoring's rows of the handler table (spread into createHandlerTable). */
export function batchHandlers(services: BatchServices): Pick<HandlerTable, BatchCallName> {
  const { scoring, library } = services;
  return {
    'batch.inspect': async (request) => scoring.inspect(request),
    'batch.rows': async (request) => scoring.rows(request),
    'batch.check': async ({ operationId: _id, ...setup }, context) =>
      scoring.check(setup, { signal: context.signal, onProgress: passProgress(context, 'Checking') }),
    'batch.score': async ({ operationId: _id, explain, ...request }, context) => {
      // The history's checksum of the input is taken while the workers score it (stopped if the run fails).
      const hashing = new AbortController();
      const input = describeInputFileEarly(request.path, hashing.signal);
      try {
        const summary = await scoring.score(
          // Drift against the model's attached reference comes from the same pass.
          {
            ...request,
            reference: await library.referenceProfileFor(request.modelId),
            ...(explain
              ? { explain: { background: await services.explainer.background(request.modelId, explain) } }
              : {}),
          },
          { signal: context.signal, onProgress: passProgress(context, 'Scoring') },
        );
        // Kept in the run history (the library's catalog); a run that can't be kept still returns.
        const settings = explain ? { ...request, explain } : request;
        const kept = await batchRunRecord(
          services.models.get(request.modelId).info,
          settings,
          summary,
          'app',
          input,
        )
          .then((record) => library.recordRun(record, summary))
          .catch(() => undefined);
        return kept ? { ...summary, runId: kept.id } : summary;
      } finally {
        hashing.abort();
      }
    },
    'batch.saveReport': async ({ runId, ...request }) =>
      scoring.saveReport({
        ...request,
        audit: runId
          ? await library.getRun(runId).then(
              (run) => run.record,
              () => undefined,
            )
          : undefined,
      }),
  };
}
