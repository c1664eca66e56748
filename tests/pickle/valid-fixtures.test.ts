import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPickleFile, NdArray, NdRecordArray, PyObject } from '../../main/sklearn/pickle/index.ts';
import { canonical, normalizeSets } from './canonical.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'pickle', 'valid');
const fixtures = readdirSync(dir).filter((f) => !f.endsWith('.json'));
/** fixture file -> the JSON file holding what Python decoded it to (shared across formats). */
const expectedFor: Record<string, string> = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8'));

describe('valid pickle and joblib fixtures decode to what Python decodes', () => {
  it('has fixtures for every protocol and compression', () => {
    for (const p of [0, 1, 2, 3, 4, 5]) expect(fixtures).toContain(`plain_p${p}.pkl`);
    for (const c of ['raw', 'zlib', 'gzip', 'bz2', 'lzma', 'xz'])
      expect(fixtures).toContain(`pipeline_joblib_${c}.joblib`);
  });

  it.each(fixtures)('%s', async (file) => {
    const expectedFile = expectedFor[file];
    expect(expectedFile, `${file} has no entry in expected.json`).toBeDefined();
    const expected = JSON.parse(readFileSync(join(dir, expectedFile as string), 'utf8'));
    const value = await loadPickleFile(join(dir, file));
    expect(normalizeSets(canonical(value))).toEqual(normalizeSets(expected));
  });
});

describe('shapes the converter relies on', () => {
  it('reads the guide-style DictVectorizer + LogisticRegression pipeline', async () => {
    const pipe = await loadPickleFile(join(dir, 'pipeline_numpy2_p5.pkl'));
    expect(pipe).toBeInstanceOf(PyObject);
    const steps = (pipe as PyObject).attributes?.get('steps');
    expect(Array.isArray(steps)).toBe(true);
    const lr = ((steps as unknown[])[1] as { items: unknown[] }).items[1] as PyObject;
    expect(lr.className).toBe('sklearn.linear_model._logistic.LogisticRegression');
    const coef = lr.attributes?.get('coef_');
    expect(coef).toBeInstanceOf(NdArray);
    expect((coef as NdArray).dtype).toBe('float64');
    expect((coef as NdArray).shape[0]).toBe(1);
  });

  it('decodes a decision tree structured node array into per-field arrays', async () => {
    const tree = await loadPickleFile(join(dir, 'tree_joblib_aligned.joblib'));
    const inner = (tree as PyObject).attributes?.get('tree_') as PyObject;
    expect(inner.className).toBe('sklearn.tree._tree.Tree');
    const nodes = inner.attributes?.get('nodes');
    expect(nodes).toBeInstanceOf(NdRecordArray);
    const record = nodes as NdRecordArray;
    expect(record.names).toContain('threshold');
    expect(record.fields.left_child?.dtype).toBe('int64');
    expect(record.fields.threshold?.shape).toEqual(record.shape);
  });
});
