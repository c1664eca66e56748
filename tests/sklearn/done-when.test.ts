import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { checksumFile } from '../../main/models/checksums.ts';
import { convertSklearnFile } from '../../main/sklearn/index.ts';
import { runCliCaptured } from '../helpers/run-cli.ts';
import { fixtureDir, readManifest } from './parity-helpers.ts';

// The guide's file: DictVectorizer + LogisticRegression saved with pickle.dump as pipeline_v1.bin.
const guideFile = path.join(fixtureDir, 'pipeline_v1.bin');
const guide = readManifest().models.find((model) => model.name === 'guide_pipeline')!;
const doneWhen = guide.doneWhen!;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-done-when-'));
const previousDataDir = process.env.MODELDOCK_DATA_DIR;

afterAll(() => {
  if (previousDataDir === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = previousDataDir;
});

describe('the guide-shaped pickle gives scikit-learn’s probability for the done-when payload', () => {
  test('the payload matches the guide', () => {
    expect(doneWhen.row).toEqual({
      lead_source: 'paid_ads',
      number_of_courses_viewed: 2,
      annual_income: 79276.0,
    });
  });

  test('converted model, run directly', async () => {
    const { sha256 } = await checksumFile(guideFile);
    const converted = await convertSklearnFile(guideFile, { dataDir, sha256 });
    const session = await ort.InferenceSession.create(converted.onnxBytes);
    const outputs = await session.run({
      lead_source: new ort.Tensor('string', ['paid_ads'], [1, 1]),
      number_of_courses_viewed: new ort.Tensor('float64', Float64Array.of(2), [1, 1]),
      annual_income: new ort.Tensor('float64', Float64Array.of(79276.0), [1, 1]),
    });
    const probability = (outputs.probabilities!.data as Float64Array)[1]!;
    expect(Math.abs(probability - doneWhen.probability)).toBeLessThanOrEqual(1e-6);
    await session.release();
  });

  test('modeldock predict on the pickle', async () => {
    process.env.MODELDOCK_DATA_DIR = dataDir;
    const { code, stdout, stderr } = await runCliCaptured([
      'predict',
      guideFile,
      '--input',
      JSON.stringify(doneWhen.row),
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { probability: number };
    expect(Math.abs(result.probability - doneWhen.probability)).toBeLessThanOrEqual(1e-6);
  });
});
