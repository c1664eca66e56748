import fs from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import {
  goldenSampleSchema,
  type LibraryNotice,
  libraryEntrySchema,
  runRecordSchema,
} from '../../shared/contract/index.ts';
import { writeFileStaged } from '../files/staged-write.ts';
import { CURRENT_SCHEMA_VERSION, migrateToCurrent } from './migrations.ts';

export const libraryStoreSchema = z.object({
  schemaVersion: z.literal(CURRENT_SCHEMA_VERSION),
  entries: z.array(libraryEntrySchema),
  /** Golden samples per model, keyed by the model's SHA-256. */
  samples: z.record(z.string(), z.array(goldenSampleSchema)),
  /** Batch and compare runs, oldest first; each run's full result is in runs/<id>.json beside this file. */
  runs: z.array(runRecordSchema).default([]),
});
export type LibraryStoreData = z.infer<typeof libraryStoreSchema>;

export function emptyStore(): LibraryStoreData {
  return { schemaVersion: CURRENT_SCHEMA_VERSION, entries: [], samples: {}, runs: [] };
}

export interface LoadedStore {
  data: LibraryStoreData;
  notice?: LibraryNotice;
}

/**
 * Reads library.json. A missing file is an empty library; an older schema is migrated (and written back);
 * a file that can't be parsed or validated is renamed to library.json.corrupt-<timestamp> and the library
 * starts empty with a notice for the UI. Loading never throws for the file's contents.
 */
export async function loadStoreFile(file: string, now: () => Date = () => new Date()): Promise<LoadedStore> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { data: emptyStore() };
    throw error;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return moveAside(file, now, 'corrupt', 'it is not valid JSON');
  }
  const version = readSchemaVersion(raw);
  if (version === undefined) return moveAside(file, now, 'corrupt', 'it has no schemaVersion');
  if (version > CURRENT_SCHEMA_VERSION) {
    return moveAside(file, now, 'newer', `it was written by a newer ModelDock (schema ${version})`);
  }
  let migrated: unknown;
  try {
    migrated = migrateToCurrent(raw as { schemaVersion: number });
  } catch (error) {
    return moveAside(file, now, 'corrupt', `it could not be migrated (${(error as Error).message})`);
  }
  const parsed = libraryStoreSchema.safeParse(migrated);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? `${issue.path.join('.') || 'file'}: ${issue.message}` : 'unknown problem';
    return moveAside(file, now, 'corrupt', `its contents are not a library (${where})`);
  }
  if (version < CURRENT_SCHEMA_VERSION) {
    await saveStoreFile(file, parsed.data);
    return {
      data: parsed.data,
      notice: {
        kind: 'store-migrated',
        message: `The library was upgraded from schema ${version} to ${CURRENT_SCHEMA_VERSION}.`,
      },
    };
  }
  return { data: parsed.data };
}

export async function saveStoreFile(file: string, data: LibraryStoreData): Promise<void> {
  await writeFileStaged(file, `${JSON.stringify(data, null, 1)}\n`, { durable: true, mkdir: true });
}

function readSchemaVersion(raw: unknown): number | undefined {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const version = (raw as { schemaVersion?: unknown }).schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : undefined;
}

async function moveAside(
  file: string,
  now: () => Date,
  why: 'corrupt' | 'newer',
  reason: string,
): Promise<LoadedStore> {
  // Colons are not allowed in Windows file names; the timestamp keeps its digits only.
  const stamp = now()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const movedTo = `${file}.${why}-${stamp}`;
  await fs.rename(file, movedTo);
  const message =
    why === 'corrupt'
      ? `The library file could not be read because ${reason}; it was moved to ${path.basename(movedTo)} and the library starts empty.`
      : `The library file could not be used because ${reason}; it was moved to ${path.basename(movedTo)} and the library starts empty.`;
  return {
    data: emptyStore(),
    notice: { kind: why === 'corrupt' ? 'store-corrupt' : 'store-newer', message, movedTo },
  };
}
