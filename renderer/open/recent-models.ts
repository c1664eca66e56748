import type { ModelInfo } from '../../shared/contract/index.ts';

export interface RecentModel {
  path: string;
  fileName: string;
  sizeBytes: number;
  sha256: string;
  openedAt: string;
}

const storageKey = 'modeldock.recent';
const maxRecent = 8;

export function loadRecentModels(storage: Pick<Storage, 'getItem'> = localStorage): RecentModel[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(storageKey) ?? '[]');
    if (!Array.isArray(parsed)) return [];
    const entries = (parsed as RecentModel[]).filter((entry) => typeof entry?.path === 'string');
    // Lists saved before entries were one per checksum may hold the same file twice: keep the newest.
    return entries.filter((entry, index) => index === entries.findIndex((other) => sameModel(other, entry)));
  } catch {
    return [];
  }
}

/**
 * One model file is one entry, however it was reached: the same path, or the same SHA-256 under another
 * path (browser mode stores each upload under a new name; a copy in Downloads is the same model).
 */
function sameModel(a: RecentModel, b: RecentModel): boolean {
  return a.path === b.path || (typeof a.sha256 === 'string' && a.sha256 === b.sha256);
}

/** Newest first, one entry per model file (path or SHA-256), at most eight. */
export function rememberModel(
  list: readonly RecentModel[],
  info: ModelInfo,
  now = new Date(),
): RecentModel[] {
  const entry: RecentModel = {
    path: info.file.path,
    fileName: info.file.fileName,
    sizeBytes: info.file.sizeBytes,
    sha256: info.file.sha256,
    openedAt: now.toISOString(),
  };
  return [entry, ...list.filter((item) => !sameModel(item, entry))].slice(0, maxRecent);
}

export function saveRecentModels(
  list: readonly RecentModel[],
  storage: Pick<Storage, 'setItem'> = localStorage,
) {
  storage.setItem(storageKey, JSON.stringify(list));
}
