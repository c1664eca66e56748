import path from 'node:path';

export const CURRENT_SCHEMA_VERSION = 2;

/**
 * Schema 1 (the first library, before notes and samples): `models` with `version`, `path` (the user's file),
 * `file` (the stored copy), `size` and `added`.
 */
interface StoreV1 {
  schemaVersion: 1;
  models: Array<{
    id: string;
    name: string;
    version: string;
    format: string;
    path: string;
    file: string;
    sha256: string;
    md5: string;
    size: number;
    added: string;
  }>;
}

type Migration = (store: Record<string, unknown>) => Record<string, unknown>;

/** migrations[n] turns schema n into schema n + 1. */
const migrations: Record<number, Migration> = {
  1: (store) => {
    const v1 = store as unknown as StoreV1;
    if (!Array.isArray(v1.models)) throw new Error('schema 1 store without a models list');
    return {
      schemaVersion: 2,
      entries: v1.models.map((model) => ({
        id: model.id,
        name: model.name,
        versionLabel: model.version,
        format: model.format,
        fileName: path.basename(model.file),
        sourcePath: model.path,
        storedPath: model.file,
        sha256: model.sha256,
        md5: model.md5,
        sizeBytes: model.size,
        addedAt: model.added,
        lastOpenedAt: model.added,
        notes: '',
      })),
      samples: {},
    };
  },
};

/** Applies every migration from the store's version up to the current one, in order. */
export function migrateToCurrent(store: { schemaVersion: number }): unknown {
  let current = store as unknown as Record<string, unknown> & { schemaVersion: number };
  while (current.schemaVersion < CURRENT_SCHEMA_VERSION) {
    const migrate = migrations[current.schemaVersion];
    if (!migrate) throw new Error(`no migration from schema ${current.schemaVersion}`);
    current = migrate(current) as Record<string, unknown> & { schemaVersion: number };
  }
  return current;
}
