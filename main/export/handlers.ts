import type { CallName } from '../../shared/contract/index.ts';
import type { HandlerTable } from '../handlers.ts';
import type { OperationRegistry } from '../operations.ts';
import type { ExportService } from './export-service.ts';

type ExportCallName = Extract<CallName, `export.${string}`>;

interface ExportServices {
  exporter: ExportService;
  operations: OperationRegistry;
}

/** Export's rows of the handler table (spread into createHandlerTable). */
export function exportHandlers(services: ExportServices): Pick<HandlerTable, ExportCallName> {
  const { exporter, operations } = services;
  return {
    'export.defaults': async ({ modelId }) => exporter.defaults(modelId),
    'export.bundle': async ({ modelId, operationId, ...options }, { emit, signal }) =>
      operations.run(operationId, signal, (opSignal) =>
        exporter.exportBundle(modelId, {
          ...options,
          signal: opSignal,
          onProgress: operationId
            ? ({ stage, done, total }) => emit({ operationId, stage, done, total, unit: 'steps' })
            : undefined,
        }),
      ),
  };
}
