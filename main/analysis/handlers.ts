import type { CallName, ModelInfo } from '../../shared/contract/index.ts';
import type { HandlerTable } from '../handler-types.ts';
import type { LibraryService } from '../library/library-service.ts';
import { compareRunRecord } from '../library/run-history.ts';
import { passProgress } from '../scoring/handlers.ts';
import type { AnalysisService } from './analysis-service.ts';

type AnalysisCallName = Extract<CallName, `whatif.${string}` | `compare.${string}` | 'library.drift'>;

/** Compare, Drift and What-if rows of the handler table (spread into createHandlerTable). */
export function analysisHandlers(services: {
  analysis: AnalysisService;
  library: Pick<LibraryService, 'recordRun' | 'entryForSha256'>;
  models: { get(modelId: string): { info: ModelInfo } };
}): Pick<HandlerTable, AnalysisCallName> {
  const { analysis, library, models } = services;
  return {
    'whatif.curve': async ({ modelId, ...request }) => analysis.whatIf(modelId, request),
    'compare.check': async ({ modelIdA, modelIdB }) => analysis.compareCheck(modelIdA, modelIdB),
    'compare.payload': async ({ modelIdA, modelIdB, payload }) =>
      analysis.comparePayload(modelIdA, modelIdB, payload),
    'compare.csv': async ({ operationId: _id, ...request }, context) => {
      const a = models.get(request.modelId).info;
      const b = models.get(request.modelIdB).info;
      // The verdict names the models as the library does ("lead_scoring v2"), else by file name.
      const name = async (info: ModelInfo) => {
        const entry = await library.entryForSha256(info.file.sha256).catch(() => undefined);
        return entry ? `${entry.name} ${entry.versionLabel}` : info.file.fileName;
      };
      const result = await analysis.compareCsv(
        { ...request, nameA: await name(a), nameB: await name(b) },
        { signal: context.signal, onProgress: passProgress(context, 'Comparing') },
      );
      const { modelId: _a, modelIdB: _b, ...settings } = request;
      const kept = await compareRunRecord(a, b, settings, result, 'app')
        .then((record) => library.recordRun(record, result))
        .catch(() => undefined);
      return kept ? { ...result, runId: kept.id } : result;
    },
    'library.drift': async ({ operationId: _id, ...setup }, context) =>
      analysis.drift(setup, { signal: context.signal, onProgress: passProgress(context, 'Measuring drift') }),
  };
}
