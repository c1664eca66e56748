// The committed sample model must reproduce scikit-learn (scripts/sample-model/train_sample_model.py
// wrote sklearn's predict_proba next to it) and answer the course guide's payload.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import type { PredictManyResult, PredictResult } from '../../shared/contract/index.ts';

const models = path.resolve(import.meta.dirname, '../../assets/models');
const check = JSON.parse(readFileSync(path.join(models, 'lead_scoring.sklearn-check.json'), 'utf8')) as {
  classes: number[];
  categories: string[];
  rows: { input: Record<string, unknown>; probabilities: number[] }[];
};
const service = new ModelService({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'modeldock-sample-')) });
afterAll(() => service.closeAll());

test('reproduces scikit-learn predict_proba to 1e-6', async () => {
  const info = await service.open(path.join(models, 'lead_scoring.onnx'));
  expect(info.classLabels).toEqual(check.classes);
  expect(info.inputs.find((input) => input.name === 'lead_source')?.categories).toEqual(check.categories);
  const result = (await service.predict(info.modelId, {
    instances: check.rows.map((row) => row.input),
  })) as PredictManyResult;
  expect(result.predictions).toHaveLength(check.rows.length);
  result.predictions.forEach((prediction, i) => {
    check.classes.forEach((label, c) => {
      expect(
        Math.abs(prediction.probabilities[String(label)]! - check.rows[i]!.probabilities[c]!),
      ).toBeLessThan(1e-6);
    });
  });
});

test('the guide payload gets a probability strictly between 0 and 1 and a warning about "organic"', async () => {
  const info = await service.open(path.join(models, 'lead_scoring.onnx'));
  const result = (await service.predict(info.modelId, {
    lead_source: 'organic',
    number_of_courses_viewed: 5,
    annual_income: 75000,
  })) as PredictResult;
  expect(result.probability).toBeGreaterThan(0);
  expect(result.probability).toBeLessThan(1);
  expect(result.probability).toBe(result.probabilities['1']);
  expect(result.warnings).toEqual([
    expect.objectContaining({
      code: 'unknown-category',
      field: 'lead_source',
      knownCategories: check.categories,
    }),
  ]);
  expect(result.warnings[0]!.message).toContain('"organic" is not a category the model knows');
});
