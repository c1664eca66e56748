// Issue 14's "done when": a student's (dv, booster) pickle from the course opens, predicts,
// batch-scores and exports exactly as xgboost does (xgboost 1.7.4's answers in expected.json).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { ModelService } from '../../main/models/model-service.ts';
import {
  cli,
  linkDependencies,
  postJson,
  type RunningService,
  startService,
  tempDir,
} from '../export/helpers.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/xgboost');
const model = path.join(fixtures, 'course_dv_booster.bin');
const expected = JSON.parse(await readFile(path.join(fixtures, 'expected.json'), 'utf8')).models.find(
  (entry: { files: string[] }) => entry.files.includes('course_dv_booster.bin'),
) as { inputs: Record<string, (string | number | null)[]>; probabilities: number[][]; labels: number[] };
const names = Object.keys(expected.inputs);
const rowCount = expected.labels.length;
/** Each fixture row as a payload: a missing value is left out, as the course's dicts leave keys out. */
const rows = Array.from({ length: rowCount }, (_, row) =>
  Object.fromEntries(
    names.flatMap((name) => {
      const value = expected.inputs[name]![row];
      return value === null || value === '' ? [] : [[name, value]];
    }),
  ),
);
const positive = expected.probabilities.map((row) => row[1]!);

let dataDir: string;
let models: ModelService;
let service: RunningService | undefined;
const previousDataDir = process.env.MODELDOCK_DATA_DIR;
beforeAll(async () => {
  dataDir = await tempDir('xgboost-course');
  process.env.MODELDOCK_DATA_DIR = dataDir; // where `modeldock score` converts the pickle
  models = new ModelService({ dataDir });
});
afterAll(async () => {
  await service?.stop();
  await models?.closeAll();
  if (previousDataDir === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = previousDataDir;
});

describe("the course's (dv, booster) pickle", () => {
  test('batch-scores a CSV as xgboost predicts it', async () => {
    const csv = path.join(dataDir, 'leads.csv');
    const lines = [names.join(',')];
    for (let row = 0; row < rowCount; row++) {
      lines.push(names.map((name) => String(expected.inputs[name]![row] ?? '')).join(','));
    }
    await writeFile(csv, `${lines.join('\n')}\n`);
    const out = path.join(dataDir, 'scored.csv');
    const run = await cli(['score', model, csv, '--out', out]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const scored = parse(await readFile(out, 'utf8'), { columns: true }) as Record<string, string>[];
    expect(scored).toHaveLength(rowCount);
    scored.forEach((row, index) => {
      expect(Math.abs(Number(row.predicted_probability) - positive[index]!)).toBeLessThanOrEqual(1e-6);
      expect(Number(row.predicted_label)).toBe(expected.labels[index]);
    });
  }, 120_000);

  test('exports a service that answers as xgboost does', async () => {
    const info = await models.open(model);
    const bundle = (
      await exportBundle(models, info.modelId, {
        outDir: path.join(dataDir, 'bundle'),
        name: 'course-xgboost',
      })
    ).path;
    await linkDependencies(bundle);
    service = await startService(bundle);
    const { status, json } = await postJson(`${service.url}/predict`, { instances: rows });
    expect(status).toBe(200);
    const predictions = (json as { predictions: { probability: number; label: number }[] }).predictions;
    predictions.forEach((prediction, index) => {
      expect(Math.abs(prediction.probability - positive[index]!)).toBeLessThanOrEqual(1e-6);
      expect(prediction.label).toBe(expected.labels[index]);
    });
  }, 240_000);
});
