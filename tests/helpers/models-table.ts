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
   * (pickle), the scikit-learn converter alone (sklearn: hundreds of files), or a decoder (xz, lzma).
   */
  reader?: 'pickle' | 'sklearn' | 'xz' | 'lzma';
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
  /**
   * Reference answers from an independent computation, to 1e-6: numpy's for the ONNX fixtures (payload rows),
   * scikit-learn's for its pickles (input columns, converted and run in-process), or the same as another row's.
   */
  reference?: PayloadReference | SklearnReference | { sameAs: string };
  /** What a decoder row decodes to. */
  decoded?: { size: number; sha256: string };
  /** The output limit a decoder row is read under (1 GiB when absent). */
  limitBytes?: number;
  /** The exact refusal: code, message, and details the error must include. */
  error?: { code: string; message: string; details?: Record<string, unknown> };
  /** A file a hostile pickle would create if anything in it ran. */
  canary?: string;
}

/** Payload rows and numpy's answers for them (the ONNX fixtures, predicted through the model service). */
export interface PayloadReference {
  rows: Record<string, unknown>[];
  probabilities?: number[][];
  labels?: (string | number)[];
  values?: number[];
}

/** scikit-learn's answers for a model (scripts/fixtures/sklearn/make_sklearn_fixtures.py). */
export interface SklearnReference {
  /** The model's name; all its files (pickle protocols, joblib compressions) share the reference. */
  model: string;
  /** Input columns by ONNX input name: null is a missing number, '' a missing text value. */
  inputs: Record<string, (number | string | null)[]>;
  probabilities?: (number | null)[][];
  labels?: (number | string)[];
  values?: (number | null)[][];
  doneWhen?: { row: Record<string, number | string>; probability: number };
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

/** A row's scikit-learn reference, its own or the row it names (sameAs); undefined when it has none. */
export function sklearnReferenceOf(row: ModelRow): SklearnReference | undefined {
  const reference =
    row.reference && 'sameAs' in row.reference ? modelRow(row.reference.sameAs).reference : row.reference;
  return reference && 'inputs' in reference ? reference : undefined;
}

/** A row's payload reference (the ONNX fixtures'); throws when it has none. */
export function payloadReferenceOf(row: ModelRow): PayloadReference {
  if (!row.reference || !('rows' in row.reference)) throw new Error(`${row.file} has no payload reference`);
  return row.reference;
}
