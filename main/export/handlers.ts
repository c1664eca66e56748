import type { CallName } from '../../shared/contract/index.ts';
import type { HandlerTable } from '../handler-types.ts';
import type { ExportService } from './export-service.ts';

type ExportCallName = Extract<CallName, `export.${string}`>;

interface ExportServices {
  exporter: ExportService;
}

/** Export's rows of the handler table (spread into createHandlerTable). */
export function exportHandlers(services: ExportServices): Pick<HandlerTable, ExportCallName> {
  const { exporter } = services;
  return {
    'export.defaults': async ({ modelId }) => exporter.defaults(modelId),
    'export.bundle': async ({ modelId, operationId: _id, ...options }, { signal, progress }) =>
      exporter.exportBundle(modelId, {
        ...options,
        signal,
        onProgress: ({ stage, done, total }) => progress({ stage, done, total, unit: 'steps' }),
      }),
  };
}
