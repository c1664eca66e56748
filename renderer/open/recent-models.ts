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
    return Array.isArray(parsed)
      ? (parsed as RecentModel[]).filter((entry) => typeof entry?.path === 'string')
      : [];
  } catch {
    return [];
  }
}

/** Newest first, one entry per path, at most eight. */
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
  return [entry, ...list.filter((item) => item.path !== entry.path)].slice(0, maxRecent);
}

export function saveRecentModels(
  list: readonly RecentModel[],
  storage: Pick<Storage, 'setItem'> = localStorage,
) {
  storage.setItem(storageKey, JSON.stringify(list));
}
