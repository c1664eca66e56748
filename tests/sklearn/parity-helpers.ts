import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelRows, repoRoot, sklearnReferenceOf } from '../helpers/models-table.ts';

export const fixtureDir = path.resolve(import.meta.dirname, '../fixtures/sklearn');

/**
 * One model and scikit-learn's answers: from tests/fixtures/models.json for the scikit-learn fixtures (written by
 * scripts/fixtures/sklearn/make_sklearn_fixtures.py), from expected.json for other folders (XGBoost's).
 */
export interface FixtureModel {
  name: string;
  files: string[];
  /** Input columns by ONNX input name: null is a missing number, '' a missing text value. */
  inputs: Record<string, (number | string | null)[]>;
  probabilities?: (number | null)[][];
  labels?: (number | string)[];
  values?: (number | null)[][];
  doneWhen?: { row: Record<string, number | string>; probability: number };
  note?: string;
}

export interface FixtureManifest {
  models: FixtureModel[];
}

export function readManifest(dir = fixtureDir): FixtureManifest {
  if (path.resolve(dir) !== fixtureDir) {
    return JSON.parse(readFileSync(path.join(dir, 'expected.json'), 'utf8')) as FixtureManifest;
  }
  // The table's rows of this folder, grouped by the model whose reference they hold or name, in table order.
  const models = new Map<string, FixtureModel>();
  const folder = `${path.relative(repoRoot, fixtureDir).split(path.sep).join('/')}/`;
  for (const row of modelRows.filter((candidate) => candidate.file.startsWith(folder))) {
    const reference = sklearnReferenceOf(row);
    if (!reference) continue;
    const { model: name, ...answers } = reference;
    const model = models.get(name) ?? { name, files: [], ...answers };
    model.files.push(row.file.slice(folder.length));
    models.set(name, model);
  }
  return { models: [...models.values()] };
}

/** [N,1] feeds for the graph's inputs from the fixture's columns. */
export function feedsFor(session: ort.InferenceSession, model: FixtureModel): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const name of session.inputNames) {
    const column = model.inputs[name];
    if (!column) throw new Error(`the converted model asks for "${name}", which the fixture does not have`);
    const rows = column.length;
    feeds[name] = column.some((value) => typeof value === 'string')
      ? new ort.Tensor('string', column.map(String), [rows, 1])
      : new ort.Tensor(
          'float64',
          Float64Array.from(column, (value) => (value === null ? Number.NaN : Number(value))),
          [rows, 1],
        );
  }
  return feeds;
}

/** Largest |expected - actual| over a row-major matrix; null expects NaN (a mismatch counts as Infinity). */
export function maxDifference(expected: (number | null)[][], actual: ArrayLike<number>): number {
  let worst = 0;
  const width = expected[0]?.length ?? 0;
  expected.forEach((row, i) => {
    row.forEach((value, j) => {
      const got = actual[i * width + j]!;
      const difference =
        value === null ? (Number.isNaN(got) ? 0 : Number.POSITIVE_INFINITY) : Math.abs(value - got);
      worst = Math.max(worst, Number.isNaN(difference) ? Number.POSITIVE_INFINITY : difference);
    });
  });
  return worst;
}

export function labelsOf(tensor: ort.Tensor): (number | string)[] {
  return Array.from(tensor.data as ArrayLike<number | bigint | string>, (value) =>
    typeof value === 'bigint' ? Number(value) : value,
  );
}
