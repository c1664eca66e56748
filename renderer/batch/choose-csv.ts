import { ClientError, client } from '../client/index.ts';
import { type BatchState, useBatchStore } from './batch-store.ts';

/** lead.csv → lead-scored.csv, beside the input. */
export function defaultOutputPath(inputPath: string): string {
  const match = /^(.*?)(\.[^./\\]*)?$/.exec(inputPath);
  return `${match?.[1] ?? inputPath}-scored.csv`;
}

/**
 * Makes `file` the Batch tab's CSV for this model (Electron: its own path; browser mode: uploaded first),
 * starting over on settings from the last file. The "Choose a CSV file…" button and a CSV dropped on the
 * window both come here.
 */
export async function chooseBatchCsv(modelId: string, file: File): Promise<void> {
  const update = (patch: Partial<BatchState>) => useBatchStore.getState().update(modelId, patch);
  update({
    error: null,
    summary: null,
    inspection: null,
    inspectedKey: null,
    check: null,
    dialect: {},
    numberFormat: undefined,
    mappingEdits: {},
    missing: {},
    labelColumn: '',
    uploading: 0,
  });
  try {
    const path = await client.pathForFile(file, {
      onProgress: (done, total) => update({ uploading: total ? done / total : 0 }),
    });
    update({ csvPath: path, outputPath: defaultOutputPath(path) });
  } catch (caught) {
    update({ error: ClientError.from(caught) });
  } finally {
    update({ uploading: null });
  }
}
