import type { CallName, ModelInfo } from '../../shared/contract/index.ts';
import type { HandlerTable } from '../handler-types.ts';
import type { AppLog } from '../logging/app-log.ts';
import type { LibraryService } from './library-service.ts';

type LibraryCallName = Exclude<
  Extract<CallName, `library.${string}` | `samples.${string}` | `history.${string}`>,
  'library.drift'
>;

interface LibraryServices {
  library: LibraryService;
}

/**
 * Keeps a freshly opened model in the library. The library is a convenience: if keeping the copy fails
 * (disk full, file changed since it was read) the model still opens, and the reason is logged.
 */
export async function keepInLibrary(
  services: LibraryServices & { log: Pick<AppLog, 'warn'> },
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
  const { library } = services;
  return {
    'library.list': async ({ query }) => library.list(query),
    'library.rename': async ({ id, name }) => library.rename(id, name),
    'library.relabel': async ({ id, versionLabel }) => library.relabel(id, versionLabel),
    'library.setNotes': async ({ id, notes }) => library.setNotes(id, notes),
    'library.remove': async ({ id }) => library.remove(id),
    'library.dismissNotice': async () => library.dismissNotice(),
    'library.open': async ({ id }, { signal }) => library.open(id, { signal }),
    'library.attachReference': async ({ id, csvPath }, { signal }) =>
      library.attachReference(id, csvPath, { signal }),
    'library.detachReference': async ({ id }) => library.detachReference(id),
    'history.list': async () => library.listRuns(),
    'history.get': async ({ id }) => library.getRun(id),
    'samples.list': async ({ modelId }) => library.listSamplesForModel(modelId),
    'samples.save': async ({ modelId, name, payload }) => library.saveSample(modelId, name, payload),
    'samples.remove': async ({ modelId, name }) => library.removeSample(modelId, name),
    'samples.runAll': async ({ modelId }) => library.runSamples(modelId),
  };
}
