import { lstat, readdir, realpath, rm } from 'node:fs/promises';
import path from 'node:path';

/** Uploads untouched for this long are left over from earlier runs (a killed host, a closed tab). */
export const staleUploadAgeMs = 24 * 60 * 60 * 1000;

/** `receiveUpload` names each upload's folder with 12 random bytes in hex; nothing else in uploads/ is ours. */
const uploadFolderName = /^[0-9a-f]{24}$/;

export interface UploadCleanupOptions {
  maxAgeMs?: number;
  now?: number;
  /**
   * Paths durable state still points at (the library records where a model or reference CSV came from);
   * an upload folder holding one of them is kept whatever its age.
   */
  keepPaths?: Iterable<string>;
}

export interface UploadCleanupResult {
  removed: string[];
  /** Old folders kept because `keepPaths` names a file inside them. */
  keptReferenced: string[];
}

/**
 * Removes `<dataDir>/uploads/<random>/` folders whose newest modification (the folder or a file directly in it)
 * is older than `maxAgeMs`. Only real folders with an upload's name are touched: symlinks, stray files and
 * other names are left alone, and nothing is followed out of uploads/. Never throws: a folder that can't be
 * read or removed is skipped, and the next start tries again.
 */
export async function removeStaleUploads(
  dataDir: string,
  options: UploadCleanupOptions = {},
): Promise<UploadCleanupResult> {
  const result: UploadCleanupResult = { removed: [], keptReferenced: [] };
  const uploadsRoot = path.resolve(dataDir, 'uploads');
  // A symlinked uploads/ would make us delete inside whatever it points at.
  const rootStat = await lstat(uploadsRoot).catch(() => null);
  if (!rootStat?.isDirectory()) return result;
  const names = await readdir(uploadsRoot).catch(() => [] as string[]);
  const cutoff = (options.now ?? Date.now()) - (options.maxAgeMs ?? staleUploadAgeMs);
  const referenced = await referencedFolders(uploadsRoot, options.keepPaths ?? []);

  for (const name of names) {
    if (!uploadFolderName.test(name)) continue;
    const folder = path.join(uploadsRoot, name);
    const newest = await newestModification(folder);
    if (newest === null || newest >= cutoff) continue;
    if (referenced.has(name)) {
      result.keptReferenced.push(folder);
      continue;
    }
    // rm does not follow symlinks inside the folder: it unlinks them.
    const removed = await rm(folder, { recursive: true, force: true }).then(
      () => true,
      () => false,
    );
    if (removed) result.removed.push(folder);
  }
  return result;
}

/** The newest mtime of a real folder and its direct entries, or null when it is not a folder (or is gone). */
async function newestModification(folder: string): Promise<number | null> {
  const stat = await lstat(folder).catch(() => null);
  if (!stat?.isDirectory()) return null;
  let newest = stat.mtimeMs;
  // Rewriting a file in place leaves the folder's own mtime alone, so look at what is inside as well.
  for (const entry of await readdir(folder).catch(() => [] as string[])) {
    const inner = await lstat(path.join(folder, entry)).catch(() => null);
    if (inner) newest = Math.max(newest, inner.mtimeMs);
  }
  return newest;
}

/** Names of the upload folders that hold a kept path, matched against uploads/ as given and as resolved. */
async function referencedFolders(uploadsRoot: string, keepPaths: Iterable<string>): Promise<Set<string>> {
  const roots = new Set([uploadsRoot, await realpath(uploadsRoot).catch(() => uploadsRoot)]);
  const folders = new Set<string>();
  for (const kept of keepPaths) {
    for (const root of roots) {
      const [folder, ...rest] = path.relative(root, path.resolve(kept)).split(path.sep);
      if (folder && uploadFolderName.test(folder) && rest.length > 0) folders.add(folder);
    }
  }
  return folders;
}
