import { OPENABLE_MODEL_EXTENSIONS } from '../../shared/model-file-extensions.ts';

/** A model file by its name: which of several dropped files to open. */
export function looksLikeModel(name: string): boolean {
  const lower = name.toLowerCase();
  return OPENABLE_MODEL_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** Data files a drop hands to Batch scoring instead of opening them as a model. */
export const DATA_EXTENSIONS = ['.csv', '.tsv'] as const;

export function looksLikeData(name: string): boolean {
  const lower = name.toLowerCase();
  return DATA_EXTENSIONS.some((extension) => lower.endsWith(extension));
}

/** What a drop (or a multi-file pick) asks for: the first model file to open and what is left out. */
export interface DropSelection {
  file: File | null;
  /**
   * Other pickle/joblib/XGBoost files dropped with a non-ONNX model file: opened with it as one
   * pipeline (the course's `dv.bin` beside `model.bin`); main decides which of them is the model.
   */
  companions?: File[];
  /** A CSV dropped without a model: it goes to the Batch tab of the open model. */
  csv?: File;
  /** Other files that were dropped with it; they are named in a notice, not opened. */
  ignoredFiles: string[];
  /** Dropped folders: ModelDock opens files only. */
  folders: string[];
}

/** The part of DataTransfer we read (kept minimal so tests can build one without a browser). */
export interface DroppedItemsSource {
  files: ArrayLike<File>;
  items?: ArrayLike<{ kind: string; webkitGetAsEntry?: () => { isDirectory: boolean; name: string } | null }>;
}

/**
 * Sorts a drop into the file to open, extra files and folders. Folders are recognised through the
 * entry API where the browser offers it; a folder that slips through fails to read and gets the same message.
 */
export function selectDroppedFiles(source: DroppedItemsSource): DropSelection {
  const files = Array.from(source.files);
  const folderNames = new Set<string>();
  const items = source.items ? Array.from(source.items) : [];
  for (const item of items) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry?.isDirectory) folderNames.add(entry.name);
  }
  const regular = files.filter((file) => !folderNames.has(file.name));
  // The first file with a model extension wins (a model dropped with its notes opens the model); then a
  // CSV, which is data to score, not a model; otherwise the first file, which main sniffs by content and
  // names if it is not a model.
  const model = regular.find((file) => looksLikeModel(file.name));
  const csv = model ? undefined : regular.find((file) => looksLikeData(file.name));
  const first = model ?? (csv ? null : (regular[0] ?? null));
  const isOnnx = (file: File) => file.name.toLowerCase().endsWith('.onnx');
  const companions =
    model && !isOnnx(model)
      ? regular.filter((file) => file !== model && looksLikeModel(file.name) && !isOnnx(file))
      : [];
  const rest = regular.filter((file) => file !== first && file !== csv && !companions.includes(file));
  return {
    file: first,
    ...(companions.length > 0 ? { companions } : {}),
    ...(csv ? { csv } : {}),
    ignoredFiles: rest.map((file) => file.name),
    folders: [...folderNames],
  };
}

/** The notice shown next to the opened model, or the error when nothing could be opened. */
export function describeDrop(selection: DropSelection): { notice: string | null; error: string | null } {
  const parts: string[] = [];
  if (selection.ignoredFiles.length > 0) {
    parts.push(`ModelDock opens one model at a time; not opened: ${selection.ignoredFiles.join(', ')}.`);
  }
  if (selection.folders.length > 0) {
    parts.push(
      `Folders can't be opened, drop the model file inside instead: ${selection.folders.join(', ')}.`,
    );
  }
  if (!selection.file) {
    return {
      notice: null,
      error:
        selection.folders.length > 0
          ? `${selection.folders.join(', ')} ${selection.folders.length === 1 ? 'is a folder' : 'are folders'}: drop a model file (.onnx, .pkl, .joblib, .bin) instead.`
          : 'Nothing to open: drop a model file (.onnx, .pkl, .joblib, .bin).',
    };
  }
  return { notice: parts.length > 0 ? parts.join(' ') : null, error: null };
}
