// tests/fixtures/models.json, the one table of model files and what ModelDock must do with each (as Netron's
// test/models.json). tests/core/model-files.test.ts runs every row; other tests read a row's reference data.
// Rows with a "generator" are written by that script (scripts/fixtures/models_table.py); the others by hand.
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ModelRow {
  /** Repository-relative path. */
  file: string;
  /** The script that writes this row (absent: written by hand). */
  generator?: string;
  /** Where the file came from, or the report that motivated it. */
  source: string;
  /**
   * How the file is read: through the model service (absent: what a user's open does), the pickle reader alone
   * (pickle), or a decoder (xz, lzma).
   */
  reader?: 'pickle' | 'xz' | 'lzma';
  format?: string;
  task?: string;
  classLabels?: (string | number)[];
  zipMapRemoved?: boolean;
  /** One prediction: probabilities to 1e-6, a value to 4 decimals, the warnings' codes exactly. */
  predict?: {
    payload: unknown;
    label?: string | number;
    probabilities?: Record<string, number>;
    value?: number;
    warnings: string[];
  };
  /** Reference answers from an independent computation (numpy, scikit-learn), one per row, to 1e-6. */
  reference?: {
    rows: Record<string, unknown>[];
    probabilities?: number[][];
    labels?: (string | number)[];
    values?: number[];
  };
  /** What a decoder row decodes to. */
  decoded?: { size: number; sha256: string };
  /** The output limit a decoder row is read under (1 GiB when absent). */
  limitBytes?: number;
  /** The exact refusal: code, message, and details the error must include. */
  error?: { code: string; message: string; details?: Record<string, unknown> };
  /** A file a hostile pickle would create if anything in it ran. */
  canary?: string;
}

export const repoRoot = path.resolve(import.meta.dirname, '../..');

export const modelRows: readonly ModelRow[] = (
  JSON.parse(readFileSync(path.join(repoRoot, 'tests/fixtures/models.json'), 'utf8')) as {
    models: ModelRow[];
  }
).models;

/** The row of a file (repository-relative path); throws when the table has none. */
export function modelRow(file: string): ModelRow {
  const row = modelRows.find((candidate) => candidate.file === file);
  if (!row) throw new Error(`tests/fixtures/models.json has no row for ${file}`);
  return row;
}
