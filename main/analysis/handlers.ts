import type { CallName } from '../../shared/contract/index.ts';
import type { HandlerTable } from '../handler-types.ts';
import { passProgress } from '../scoring/handlers.ts';
import type { AnalysisService } from './analysis-service.ts';

type AnalysisCallName = Extract<CallName, `whatif.${string}` | `compare.${string}` | 'library.drift'>;

/** Compare, Drift and What-if rows of the handler table (spread into createHandlerTable). */
export function analysisHandlers(services: {
  analysis: AnalysisService;
}): Pick<HandlerTable, AnalysisCallName> {
  const { analysis } = services;
  return {
    'whatif.curve': async ({ modelId, ...request }) => analysis.whatIf(modelId, request),
    'compare.check': async ({ modelIdA, modelIdB }) => analysis.compareCheck(modelIdA, modelIdB),
    'compare.payload': async ({ modelIdA, modelIdB, payload }) =>
      analysis.comparePayload(modelIdA, modelIdB, payload),
    'compare.csv': async ({ operationId: _id, ...request }, context) =>
      analysis.compareCsv(request, {
        signal: context.signal,
        onProgress: passProgress(context, 'Comparing'),
      }),
    'library.drift': async ({ operationId: _id, ...setup }, context) =>
      analysis.drift(setup, { signal: context.signal, onProgress: passProgress(context, 'Measuring drift') }),
  };
}
