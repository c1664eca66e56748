import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import { ScoringService } from '../../main/scoring/scoring-service.ts';
import type { PredictManyResult } from '../../shared/contract/index.ts';
import { repoRoot } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-shapes-'));
const models = new ModelService({ dataDir: path.join(dir, 'data') });
const scoring = new ScoringService(models);
afterAll(async () => {
  await models.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const fixture = (name: string) => path.join(repoRoot, 'tests/fixtures/onnx', name);

async function scoreCsv(modelFile: string, csv: string, extra: Record<string, unknown> = {}) {
  const info = await models.open(fixture(modelFile));
  const input = path.join(dir, `${modelFile}.csv`);
  writeFileSync(input, csv);
  const summary = await scoring.score({
    modelId: info.modelId,
    path: input,
    outputPath: path.join(dir, `${modelFile}-out.csv`),
    overwrite: true,
    threshold: 0.5,
    numberFormat: 'plain',
    ...extra,
  });
  const rows = parse(readFileSync(summary.outputPath), { columns: true }) as Record<string, string>[];
  return { info, summary, rows };
}

describe('models other than the sample', () => {
  test('a multiclass model with one [N,4] input: feature names map four columns, one probability column per class', async () => {
    const csv =
      'id,Sepal Length,sepal-width,PETAL_LENGTH,petal width\n1,5.1,3.5,1.4,0.2\n2,6.7,3.0,5.2,2.3\n3,5.9,3.0,4.2,1.5\n';
    const { info, summary, rows } = await scoreCsv('zipmap_multiclass_str.onnx', csv);
    expect(summary.addedColumns).toEqual([
      'predicted_label',
      'probability_setosa',
      'probability_versicolor',
      'probability_virginica',
    ]);
    const instances = rows.map((row) => ({
      measurements: [row['Sepal Length'], row['sepal-width'], row.PETAL_LENGTH, row['petal width']].map(
        Number,
      ),
    }));
    const single = (await models.predict(info.modelId, { instances })) as PredictManyResult;
    rows.forEach((row, i) => {
      const expected = single.predictions[i]!;
      expect(row.predicted_label).toBe(String(expected.label));
      for (const label of ['setosa', 'versicolor', 'virginica']) {
        expect(Number(row[`probability_${label}`])).toBe(expected.probabilities[label]);
      }
    });
    expect(summary.report.scoreName).toBe('probability of the predicted class');
  });

  test('a regressor writes predicted_value, equal to single predictions', async () => {
    const { info, summary, rows } = await scoreCsv('regressor.onnx', 'rooms,age\n3,10\n5,2.5\n');
    expect(summary.addedColumns).toEqual(['predicted_value']);
    const single = (await models.predict(info.modelId, {
      instances: rows.map((row) => ({ x: [Number(row.rooms), Number(row.age)] })),
    })) as PredictManyResult;
    expect(rows.map((row) => Number(row.predicted_value))).toEqual(single.predictions.map((p) => p.value));
  });

  test('an [N,2] input without feature names is mapped by hand', async () => {
    const csv = 'a,b\n0.5,1.5\n2,-1\n';
    const blocked = await scoreCsv('general_softmax.onnx', csv).catch((error: { code: string }) => error);
    expect(blocked).toMatchObject({ code: 'mapping-incomplete' });
    const { summary } = await scoreCsv('general_softmax.onnx', csv, { mapping: { inputs: ['a', 'b'] } });
    expect(summary).toMatchObject({ rows: 2, scored: 2, failed: 0 });
    expect(summary.addedColumns).toEqual([
      'predicted_label',
      'probability_0',
      'probability_1',
      'probability_2',
    ]);
  });
});
