import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import {
  loadPickleFile,
  NdArray,
  PyDict,
  PyObject,
  PyTuple,
  type PyValue,
} from '../../main/sklearn/pickle/index.ts';
import { fixtureDir } from './parity-helpers.ts';

/** Every estimator object in a loaded pickle, in a stable order. */
function estimators(value: PyValue, found: PyObject[] = [], seen = new Set<unknown>()): PyObject[] {
  if (value === null || typeof value !== 'object' || seen.has(value)) return found;
  seen.add(value);
  if (value instanceof PyObject) {
    found.push(value);
    for (const child of value.attributes?.entries.values() ?? []) estimators(child, found, seen);
  } else if (Array.isArray(value)) {
    for (const child of value) estimators(child, found, seen);
  } else if (value instanceof PyTuple) {
    for (const child of value.items) estimators(child, found, seen);
  } else if (value instanceof PyDict) {
    for (const child of value.entries.values()) estimators(child, found, seen);
  } else if (value instanceof NdArray && value.dtype === 'object') {
    for (const child of value.data as PyValue[]) estimators(child, found, seen);
  }
  return found;
}

const replacements: { label: string; value?: PyValue }[] = [
  { label: 'removed' },
  { label: 'None', value: null },
  { label: 'a string', value: 'text' },
  { label: 'a number', value: 3 },
  { label: 'an empty list', value: [] },
  { label: 'an empty array', value: new NdArray('float64', [0], new Float64Array(0)) },
];

// A pickle can hold any data under an estimator's attributes: the converter must answer with
// a typed error (or a model), never crash on a shape it did not expect.
describe('damaged estimator attributes give typed errors, never crashes', () => {
  test.each([
    'pipeline_v1.bin',
    'ct_infrequent_scalers.pickle4.pkl',
    'dv_gradient_boosting.pickle4.pkl',
    'synthetic_hist_gb_multiclass.pickle4.pkl',
  ])('%s', async (file) => {
    const root = await loadPickleFile(path.join(fixtureDir, file));
    let cases = 0;
    for (const object of estimators(root)) {
      const attributes = object.attributes;
      if (!attributes) continue; // e.g. Cython loss objects whose state is not a dict
      for (const key of [...attributes.entries.keys()]) {
        const original = attributes.entries.get(key)!;
        for (const replacement of replacements) {
          if (replacement.value === undefined) attributes.entries.delete(key);
          else attributes.entries.set(key, replacement.value);
          cases++;
          try {
            convertSklearnValue(root);
          } catch (error) {
            if (!(error instanceof AppError)) {
              throw new Error(`${object.className}.${String(key)} ${replacement.label}: ${String(error)}`);
            }
          } finally {
            attributes.entries.set(key, original); // the converter only reads; restore for the next case
          }
        }
      }
    }
    expect(cases).toBeGreaterThan(50);
  });
});
