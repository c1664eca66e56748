import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadPickleFile } from '../../main/sklearn/pickle/index.ts';
import type { PredictManyResult } from '../../shared/contract/index.ts';
import { type FixtureModel, fixtureDir, readManifest } from './parity-helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-optional-'));
const service = new ModelService({ dataDir: path.join(dir, 'data') });
afterAll(async () => {
  await service.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const manifest = readManifest();
const fixture = (name: string): FixtureModel => {
  const model = manifest.models.find((candidate) => candidate.name === name);
  if (!model) throw new Error(`no fixture ${name}`);
  return model;
};

async function optionalInputs(file: string): Promise<string[]> {
  const converted = convertSklearnValue(await loadPickleFile(path.join(fixtureDir, file)));
  return converted.inputs.filter((input) => input.optional).map((input) => input.name);
}

describe('the converter records which inputs scikit-learn lets a caller leave out', () => {
  test.each([
    // DictVectorizer: every key may be absent.
    ['pipeline_v1.bin', ['lead_source', 'number_of_courses_viewed', 'annual_income']],
    // Every column goes through a SimpleImputer for NaN.
    [
      'ct_onehot_logreg.pickle4.pkl',
      [
        'lead_source',
        'industry',
        'employment_status',
        'location',
        'number_of_courses_viewed',
        'annual_income',
        'interaction_count',
      ],
    ],
    // Imputed: industry, location, annual_income; read by encoders or scalers directly: the rest.
    ['ct_infrequent_scalers.pickle4.pkl', ['industry', 'location', 'annual_income']],
    // The imputer's marker is -1, not NaN: a missing value is not what it imputes.
    ['imputer_sentinel_ridge.pickle4.pkl', []],
  ])('%s', async (file, expected) => {
    expect((await optionalInputs(file)).sort()).toEqual([...expected].sort());
  });

  test('the inspector exposes it, and only for those inputs', async () => {
    const info = await service.open(path.join(fixtureDir, 'ct_infrequent_scalers.pickle4.pkl'));
    expect(info.metadata.metadataProps['modeldock.optional_inputs']).toBeDefined();
    const optional = Object.fromEntries(info.inputs.map((input) => [input.name, input.optional === true]));
    expect(optional).toMatchObject({ industry: true, annual_income: true, lead_source: false });
  });
});

/** The fixture rows as payloads: a missing value (null, or "" for text) left out, or sent as null. */
function payloadRows(model: FixtureModel, missingAs: 'absent' | 'null'): Record<string, unknown>[] {
  const names = Object.keys(model.inputs);
  const count = model.inputs[names[0]!]!.length;
  return Array.from({ length: count }, (_, row) => {
    const payload: Record<string, unknown> = {};
    for (const name of names) {
      const value = model.inputs[name]![row];
      if (value === null || value === '') {
        if (missingAs === 'null') payload[name] = null;
      } else {
        payload[name] = value;
      }
    }
    return payload;
  });
}

describe('a payload may leave out what scikit-learn treats as missing, with the same result', () => {
  test.each([
    ['guide_pipeline', 'pipeline_v1.bin'],
    ['ct_onehot_logreg', 'ct_onehot_logreg.pickle4.pkl'],
  ])('%s: rows with missing keys or values match predict_proba', async (name, file) => {
    const model = fixture(name);
    const rows = payloadRows(model, 'absent');
    // The fixture must hold rows with something missing, or this test proves nothing.
    expect(rows.some((row) => Object.keys(row).length < Object.keys(model.inputs).length)).toBe(true);
    const info = await service.open(path.join(fixtureDir, file));
    for (const missingAs of ['absent', 'null'] as const) {
      const result = (await service.predict(info.modelId, {
        instances: payloadRows(model, missingAs),
      })) as PredictManyResult;
      result.predictions.forEach((prediction, row) => {
        const expected = model.probabilities![row]!;
        const classes = Object.values(prediction.probabilities);
        classes.forEach((probability, k) => {
          expect(Math.abs(probability - expected[k]!), `${missingAs} row ${row}`).toBeLessThan(1e-9);
        });
      });
    }
  });

  test('an input the pipeline does not impute is still required', async () => {
    const info = await service.open(path.join(fixtureDir, 'ct_infrequent_scalers.pickle4.pkl'));
    const row = Object.fromEntries(
      Object.entries(fixture('ct_infrequent_scalers').inputs).map(([name, values]) => [name, values[0]]),
    );
    delete row.lead_source;
    await expect(service.predict(info.modelId, row)).rejects.toMatchObject({
      code: 'invalid-payload',
      message: expect.stringContaining('lead_source: missing'),
    });
  });
});
