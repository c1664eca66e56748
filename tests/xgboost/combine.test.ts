// `modeldock inspect dv.bin model.bin`: files saved side by side are combined into one pipeline.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import { runCliCaptured } from '../helpers/run-cli.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/xgboost');
const dv = path.join(fixtures, 'course_dv.bin');
const booster = path.join(fixtures, 'course_booster.bin');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-combine-'));
const service = new ModelService({ dataDir: path.join(dir, 'data') });
const previousDataDir = process.env.MODELDOCK_DATA_DIR;
beforeAll(() => {
  process.env.MODELDOCK_DATA_DIR = path.join(dir, 'cli');
});
afterAll(async () => {
  await service.closeAll();
  if (previousDataDir === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = previousDataDir;
  rmSync(dir, { recursive: true, force: true });
});

const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')).models.find(
  (model: { files: string[] }) => model.files.includes('course_dv_booster.bin'),
);

describe('combining dv.bin and model.bin', () => {
  test.each([
    ['dv first', [dv, booster]],
    ['model first', [booster, dv]],
  ])(
    '%s: one pipeline that predicts as the (dv, booster) tuple, reported as the model file',
    async (_, files) => {
      const info = await service.open(files[0]!, { companions: files.slice(1) });
      expect(info.file.fileName).toBe('course_booster.bin');
      expect(info.conversion?.steps[0]).toBe('DictVectorizer');
      expect(info.conversion?.combinedWith?.map((file) => file.fileName)).toEqual(['course_dv.bin']);
      expect(info.inputs.find((input) => input.name === 'lead_source')?.categories).toContain('paid_ads');
      const rows = expected.labels.map((_: unknown, row: number) =>
        Object.fromEntries(
          Object.entries(expected.inputs as Record<string, unknown[]>).flatMap(([name, column]) =>
            column[row] === null || column[row] === '' ? [] : [[name, column[row]]],
          ),
        ),
      );
      const result = (await service.predict(info.modelId, { instances: rows })) as {
        predictions: { probabilities: Record<string, number> }[];
      };
      result.predictions.forEach((prediction, row) => {
        expect(Math.abs(prediction.probabilities['1']! - expected.probabilities[row][1])).toBeLessThanOrEqual(
          1e-6,
        );
      });
    },
  );

  test('modeldock inspect dv.bin model.bin --json names both files', async () => {
    const run = await runCliCaptured(['inspect', dv, booster, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.fileName).toBe('course_booster.bin');
    expect(json.conversion.combinedWith).toEqual([
      expect.objectContaining({ fileName: 'course_dv.bin', path: dv }),
    ]);
  });

  test.each([
    [[dv, dv], /^None of these files holds a model, only transformers/],
    [[booster, path.join(fixtures, 'course_dv_booster.bin')], /^Only one of the files may hold a model/],
  ])('refuses %j with exit 3', async (files, message) => {
    const run = await runCliCaptured(['inspect', ...files]);
    expect(run.code).toBe(3);
    expect(run.stderr.replace(/^modeldock: /, '')).toMatch(message);
  });
});
