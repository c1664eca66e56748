import type { CallName, ModelInfo } from '../../shared/contract/index.ts';
import type { HandlerTable } from '../handlers.ts';
import type { AppLog } from '../logging/app-log.ts';
import type { OperationRegistry } from '../operations.ts';
import type { LibraryService } from './library-service.ts';

type LibraryCallName = Extract<
  CallName,
  `library.${string}` | `samples.${string}` | `whatif.${string}` | `compare.${string}`
>;

interface LibraryServices {
  library: LibraryService;
  operations: OperationRegistry;
}

/**
 * Keeps a freshly opened model in the library. The library is a convenience: if keeping the copy fails
 * (disk full, file changed since it was read) the model still opens, and the reason is logged.
 */
export async function keepInLibrary(
  services: Pick<LibraryServices, 'library'> & { log: Pick<AppLog, 'warn'> },
  info: ModelInfo,
): Promise<ModelInfo> {
  try {
    await services.library.addFromOpen(info);
  } catch (error) {
    services.log.warn('the library did not keep the opened model', {
      file: info.file.fileName,
      reason: error instanceof Error ? error.message : String(error),
    });
  }
  return info;
}

/** The library's rows of the handler table (spread into createHandlerTable). */
export function libraryHandlers(services: LibraryServices): Pick<HandlerTable, LibraryCallName> {
  const { library, operations } = services;
  return {
    'library.list': async ({ query }) => library.list(query),
    'library.rename': async ({ id, name }) => library.rename(id, name),
    'library.relabel': async ({ id, versionLabel }) => library.relabel(id, versionLabel),
    'library.setNotes': async ({ id, notes }) => library.setNotes(id, notes),
    'library.remove': async ({ id }) => library.remove(id),
    'library.dismissNotice': async () => library.dismissNotice(),
    'library.open': async ({ id, operationId }, { signal }) =>
      operations.run(operationId, signal, (opSignal) => library.open(id, { signal: opSignal })),
    'library.attachReference': async ({ id, csvPath, operationId }, { signal }) =>
      operations.run(operationId, signal, (opSignal) =>
        library.attachReference(id, csvPath, { signal: opSignal }),
      ),
    'library.detachReference': async ({ id }) => library.detachReference(id),
    'library.drift': async ({ modelId, csvPath, operationId }, { signal }) =>
      operations.run(operationId, signal, (opSignal) =>
        library.drift(modelId, csvPath, { signal: opSignal }),
      ),
    'library.batchDrift': async ({ modelId, outputPath, scoreColumn, operationId }, { signal }) =>
      operations.run(operationId, signal, async (opSignal) => {
        // No reference attached is a normal state after a batch run, not an error: the UI shows a hint.
        if (!(await library.referenceProfileFor(modelId))) return { report: null };
        return {
          report: await library.driftOfScoredCsv(modelId, outputPath, { scoreColumn, signal: opSignal }),
        };
      }),
    'samples.list': async ({ modelId }) => library.listSamplesForModel(modelId),
    'samples.save': async ({ modelId, name, payload }) => library.saveSample(modelId, name, payload),
    'samples.remove': async ({ modelId, name }) => library.removeSample(modelId, name),
    'samples.runAll': async ({ modelId }) => library.runSamples(modelId),
    'whatif.curve': async ({ modelId, ...request }) => library.whatIf(modelId, request),
    'compare.check': async ({ modelIdA, modelIdB }) => library.compareCheck(modelIdA, modelIdB),
    'compare.payload': async ({ modelIdA, modelIdB, payload }) =>
      library.comparePayload(modelIdA, modelIdB, payload),
    'compare.csv': async ({ modelIdA, modelIdB, csvPath, threshold, fill, operationId }, { emit, signal }) =>
      operations.run(operationId, signal, (opSignal) =>
        library.compareCsv(modelIdA, modelIdB, csvPath, {
          threshold,
          fill,
          signal: opSignal,
          onProgress: operationId
            ? (done) => emit({ operationId, stage: 'Comparing', done, unit: 'rows' })
            : undefined,
        }),
      ),
  };
}
