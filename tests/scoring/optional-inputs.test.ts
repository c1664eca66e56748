import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import { readCell } from '../../main/scoring/cell-values.ts';
import { ScoringService } from '../../main/scoring/scoring-service.ts';
import type { ModelInfo, PredictManyResult } from '../../shared/contract/index.ts';
import { fixtureDir, readManifest } from '../sklearn/parity-helpers.ts';
import { failure, leadCsv, sampleModel } from './helpers.ts';

// The guide's pickle (DictVectorizer + LogisticRegression): every input may be left out, and
// tests/sklearn/optional-inputs.test.ts ties a payload without a field to scikit-learn's answer.
const guidePickle = path.join(fixtureDir, 'pipeline_v1.bin');
const inputNames = ['lead_source', 'number_of_courses_viewed', 'annual_income'];

let dir: string;
let models: ModelService;
let guide: ModelInfo;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-optional-batch-'));
  models = new ModelService({ dataDir: path.join(dir, 'data') });
  guide = await models.open(guidePickle);
});
afterAll(async () => {
  await models.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const readCsv = (file: string): Record<string, string>[] =>
  parse(readFileSync(file), { columns: true, bom: true });

async function score(csv: string, out: string, parallelMinBytes: number) {
  const scoring = new ScoringService(models, { parallelMinBytes });
  return scoring.score({
    modelId: guide.modelId,
    path: csv,
    numberFormat: 'plain',
    outputPath: path.join(dir, out),
    overwrite: true,
    threshold: 0.5,
  });
}

/** Single predictions with every empty field left out of the payload. */
async function singleProbabilities(rows: Record<string, string>[]): Promise<number[]> {
  const instances = rows.map((row) => {
    const payload: Record<string, string | number> = {};
    for (const name of inputNames) {
      const cell = row[name] ?? '';
      if (cell === '') continue;
      payload[name] = name === 'lead_source' ? cell : Number(cell);
    }
    return payload;
  });
  const result = (await models.predict(guide.modelId, { instances })) as PredictManyResult;
  return result.predictions.map((prediction) => prediction.probability ?? Number.NaN);
}

describe('empty cells for inputs the scikit-learn pipeline handles itself', () => {
  test('the check shows "leave it out" as the default and counts the empty cells; nothing fails', async () => {
    const check = await new ScoringService(models).check({
      modelId: guide.modelId,
      path: leadCsv,
      numberFormat: 'plain',
    });
    const byInput = Object.fromEntries(check.inputs.map((input) => [input.input, input]));
    expect(byInput.lead_source?.policy).toEqual({ mode: 'omit' });
    expect(byInput.annual_income?.policy).toEqual({ mode: 'omit' });
    const rows = readCsv(leadCsv);
    for (const name of inputNames) {
      expect(byInput[name]?.missingRows, name).toBe(rows.filter((row) => row[name] === '').length);
    }
    // The lead data has empty lead sources and incomes, or this test proves nothing.
    expect(
      (byInput.lead_source?.missingRows ?? 0) + (byInput.annual_income?.missingRows ?? 0),
    ).toBeGreaterThan(0);
    expect(check.failingRows).toBe(0);
  });

  test('the lead data, one worker and two: row for row the single predictions without those fields', async () => {
    const rows = readCsv(leadCsv);
    const expected = await singleProbabilities(rows);
    for (const [out, parallelMinBytes] of [
      ['one.csv', Number.POSITIVE_INFINITY],
      ['two.csv', 1],
    ] as const) {
      const summary = await score(leadCsv, out, parallelMinBytes);
      expect(summary).toMatchObject({ rows: rows.length, scored: rows.length, failed: 0 });
      const scored = readCsv(summary.outputPath);
      expect(scored).toHaveLength(rows.length);
      scored.forEach((row, i) => {
        expect(Number(row.predicted_probability), `${out} line ${i + 2}`).toBe(expected[i]);
      });
    }
  });

  test("scikit-learn's own predict_proba for the fixture rows, including those with missing values", async () => {
    const model = readManifest().models.find((candidate) => candidate.name === 'guide_pipeline');
    if (!model?.probabilities) throw new Error('no guide_pipeline fixture');
    const count = model.probabilities.length;
    const lines = [inputNames.join(',')];
    for (let row = 0; row < count; row++) {
      lines.push(inputNames.map((name) => String(model.inputs[name]?.[row] ?? '')).join(','));
    }
    const csv = path.join(dir, 'fixture-rows.csv');
    writeFileSync(csv, `${lines.join('\n')}\n`);
    expect(
      lines.filter((line) => line.startsWith(',') || line.includes(',,') || line.endsWith(',')).length,
    ).toBeGreaterThan(0);
    const scored = readCsv((await score(csv, 'fixture-scored.csv', Number.POSITIVE_INFINITY)).outputPath);
    expect(scored).toHaveLength(count);
    scored.forEach((row, i) => {
      const sklearn = model.probabilities?.[i]?.[1] ?? Number.NaN;
      expect(Math.abs(Number(row.predicted_probability) - sklearn), `row ${i}`).toBeLessThan(1e-9);
    });
  });

  test('"fail the row" can still be chosen for an optional input', async () => {
    const scoring = new ScoringService(models);
    const check = await scoring.check({
      modelId: guide.modelId,
      path: leadCsv,
      numberFormat: 'plain',
      missing: { annual_income: { mode: 'fail' } },
    });
    const income = check.inputs.find((input) => input.input === 'annual_income');
    expect(income?.policy).toEqual({ mode: 'fail' });
    expect(check.failingRows).toBe(income?.missingRows);
  });
});

describe('inputs the model needs', () => {
  test('still fail the row by default, and refuse "leave it out"', async () => {
    const info = await models.open(sampleModel);
    expect(info.inputs.some((input) => input.optional)).toBe(false);
    const scoring = new ScoringService(models);
    const check = await scoring.check({ modelId: info.modelId, path: leadCsv, numberFormat: 'plain' });
    expect(check.inputs.map((input) => input.policy?.mode)).toEqual(check.inputs.map(() => 'fail'));
    expect(check.failingRows).toBeGreaterThan(0);
    const refused = await failure(
      scoring.check({
        modelId: info.modelId,
        path: leadCsv,
        numberFormat: 'plain',
        missing: { lead_source: { mode: 'omit' } },
      }),
    );
    expect(refused.code).toBe('bad-request');
    expect(refused.message).toContain("lead_source, so its empty cells can't be left out");
  });
});

describe('readCell with "leave it out"', () => {
  const omit = { mode: 'omit' } as const;
  test('an empty cell becomes what a payload without the field feeds: NaN or ""', () => {
    expect(readCell('', { kind: 'numeric', type: 'double' }, omit, 'plain')).toEqual({
      ok: true,
      value: Number.NaN,
    });
    expect(readCell('  ', { kind: 'string', type: 'string' }, omit, 'plain')).toEqual({
      ok: true,
      value: '',
    });
  });
  test('a filled cell is read as usual, and a true/false input has no "missing" value', () => {
    expect(readCell('12,5', { kind: 'numeric', type: 'double' }, omit, 'decimal-comma')).toEqual({
      ok: true,
      value: 12.5,
    });
    expect(readCell('', { kind: 'bool', type: 'bool' }, omit, 'plain')).toMatchObject({
      ok: false,
      missing: true,
    });
  });
});
