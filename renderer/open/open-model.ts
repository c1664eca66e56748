import type { AppErrorData, ModelInfo, ProgressEvent } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { ClientError, client, newOperationId } from '../client/index.ts';
import { type DropSelection, describeDrop } from './dropped-files.ts';
import { type RecentModel, rememberModel, saveRecentModels } from './recent-models.ts';

/** The open in flight, so Cancel (and a newer open) can stop it. */
let current: { controller: AbortController; operationId: string } | null = null;

/** `companions`: files dropped with `file` to combine into one pipeline (dv.bin with model.bin). */
export type OpenSource = { file: File; companions?: File[] } | { path: string; fileName: string };

/**
 * Reopens a model from the recent list. When its file is gone (moved, deleted, or in browser mode an
 * upload cleaned up after a day), the library's copy with the same SHA-256 — the same bytes — opens
 * instead, and a notice says so; without such a copy the open fails with the usual message.
 */
export function openRecent(entry: Pick<RecentModel, 'path' | 'fileName' | 'sha256'>): Promise<void> {
  return openModel({ path: entry.path, fileName: entry.fileName }, null, entry.sha256);
}

/**
 * Opens a model: a File is first turned into a path (Electron: its own; browser: uploaded), then
 * model.open computes checksums and loads it in main, reporting progress; the previous model is closed.
 */
export async function openModel(
  source: OpenSource,
  notice: string | null = null,
  /** The SHA-256 a missing file had, to fall back to the library's copy (openRecent). */
  knownSha256?: string,
): Promise<void> {
  cancelOpen();
  const controller = new AbortController();
  const operationId = newOperationId('open');
  current = { controller, operationId };
  const fileName = 'file' in source ? source.file.name : source.fileName;
  useAppStore.setState({
    opening: { fileName, operationId, stage: 'Starting', done: 0, unit: 'bytes' },
    openError: null,
    notice,
    view: 'model',
  });
  const setProgress = (stage: string, done: number, total?: number) =>
    useAppStore.setState((state) =>
      state.opening?.operationId === operationId
        ? { opening: { ...state.opening, stage, done, total, unit: 'bytes' } }
        : {},
    );
  const stopProgress = client.onEvent('progress', (event: ProgressEvent) => {
    if (event.operationId === operationId) setProgress(event.stage, event.done, event.total);
  });
  try {
    const path =
      'file' in source
        ? await client.pathForFile(source.file, {
            signal: controller.signal,
            onProgress: (done, total) => setProgress('Copying into ModelDock', done, total),
          })
        : source.path;
    const companions: string[] = [];
    for (const companion of 'file' in source ? (source.companions ?? []) : []) {
      companions.push(
        await client.pathForFile(companion, {
          signal: controller.signal,
          onProgress: (done, total) => setProgress(`Copying ${companion.name} into ModelDock`, done, total),
        }),
      );
    }
    const info = await client.call(
      'model.open',
      { path, operationId, ...(companions.length > 0 ? { companions } : {}) },
      { signal: controller.signal },
    );
    if (current?.operationId !== operationId) return;
    showOpenedModel(info);
  } catch (error) {
    if (current?.operationId !== operationId) return;
    const data: AppErrorData = ClientError.from(error);
    if (data.code === 'file-not-found' && knownSha256 && 'path' in source) {
      const info = await openLibraryCopy(knownSha256, operationId, controller.signal).catch(() => null);
      if (current?.operationId !== operationId) return;
      if (info) {
        showOpenedModel(info);
        useAppStore.setState({
          notice: `${fileName} is no longer at ${source.path}; ModelDock opened its library copy (same SHA-256).`,
        });
        return;
      }
    }
    useAppStore.setState({
      opening: null,
      openError:
        data.code === 'cancelled'
          ? null
          : { code: data.code, message: data.message, details: data.details, fileName },
      notice: data.code === 'cancelled' ? `Opening ${fileName} was cancelled.` : notice,
    });
  } finally {
    stopProgress();
    if (current?.operationId === operationId) current = null;
  }
}

/** The library's stored copy of the model with this SHA-256, opened; null when the library has none. */
async function openLibraryCopy(
  sha256: string,
  operationId: string,
  signal: AbortSignal,
): Promise<ModelInfo | null> {
  const { entries } = await client.call('library.list', {}, { signal });
  const copy = entries.find((entry) => entry.sha256 === sha256);
  return copy ? client.call('library.open', { id: copy.id, operationId }, { signal }) : null;
}

/** Makes an opened model the current one (from a file, the recent list or the library) and closes the last. */
export function showOpenedModel(info: ModelInfo): void {
  const previous = useAppStore.getState().model;
  const recent = rememberModel(useAppStore.getState().recent, info);
  saveRecentModels(recent);
  useAppStore.setState({
    model: info,
    opening: null,
    openError: null,
    recent,
    view: 'model',
    currentPayload: null,
  });
  if (previous && previous.modelId !== info.modelId) {
    client.call('model.close', { modelId: previous.modelId }).catch(() => {});
  }
}

/** Stops the open in flight: aborts the transfer and asks main to stop its work. */
export function cancelOpen(): void {
  if (!current) return;
  const { controller, operationId } = current;
  current = null;
  controller.abort();
  client.call('operation.cancel', { operationId }).catch(() => {});
  const opening = useAppStore.getState().opening;
  if (opening?.operationId === operationId) {
    useAppStore.setState({ opening: null, notice: `Opening ${opening.fileName} was cancelled.` });
  }
}

/**
 * A CSV dropped on the window is data to score: it goes to the Batch tab of the open model (loaded
 * when first needed, like the tab). Without a model there is nothing to score it with yet.
 */
export function scoreDroppedCsv(selection: DropSelection & { csv: File }): void {
  const { model } = useAppStore.getState();
  const { csv } = selection;
  if (!model) {
    useAppStore.setState({
      openError: null,
      notice: `${csv.name} is a data file: open a model first, then drop ${csv.name} again to score it.`,
    });
    return;
  }
  const { notice } = describeDrop({ ...selection, file: csv });
  useAppStore.setState({ view: 'model', activeTab: 'batch', openError: null, notice });
  void import('../batch/choose-csv.ts').then(({ chooseBatchCsv }) => chooseBatchCsv(model.modelId, csv));
}

/** A drop or a multi-file pick: open the first model, name the rest in a notice, refuse folders clearly. */
export function openSelection(selection: DropSelection): void {
  if (selection.csv) {
    scoreDroppedCsv({ ...selection, csv: selection.csv });
    return;
  }
  const { notice, error } = describeDrop(selection);
  if (!selection.file) {
    useAppStore.setState({
      openError: {
        code: 'not-a-file',
        message: error ?? 'Nothing to open.',
        fileName: selection.folders[0] ?? '',
      },
      notice: null,
    });
    return;
  }
  void openModel(
    { file: selection.file, ...(selection.companions ? { companions: selection.companions } : {}) },
    notice,
  );
}

export function dismissError(): void {
  useAppStore.setState({ openError: null });
}
