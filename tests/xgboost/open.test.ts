import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import { sniffModelFormat } from '../../main/models/sniff.ts';
import { modelInfoSchema } from '../../shared/contract/index.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/xgboost');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-xgboost-'));
const service = new ModelService({ dataDir: path.join(dir, 'data') });
afterAll(async () => {
  await service.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

describe('native XGBoost model files', () => {
  test.each([
    ['booster_binary.json', 'xgboost'],
    ['booster_binary.ubj', 'xgboost'],
    ['booster_binary.model', 'xgboost'],
    ['booster_binary.pkl', 'sklearn-pickle'],
    ['xgbclassifier_500_trees.joblib', 'sklearn-joblib'],
  ])('%s is recognised as %s by its first bytes', (file, format) => {
    const head = readFileSync(path.join(fixtures, file)).subarray(0, 4096);
    expect(sniffModelFormat(head)).toBe(format);
  });

  test('JSON text that is not a model is not taken for one', () => {
    expect(sniffModelFormat(new TextEncoder().encode('{"rows": [1, 2, 3]}'))).toBeNull();
  });

  test.each(['booster_binary.json', 'booster_binary.ubj'])(
    '%s opens, says where it came from, and predicts as xgboost does',
    async (file) => {
      const info = modelInfoSchema.parse(await service.open(path.join(fixtures, file)));
      expect(info.format).toBe('xgboost');
      expect(info.conversion?.from).toBe('xgboost');
      expect(info.conversion?.steps).toEqual(['Booster (xgboost 1.7.4, binary:logistic, 30 trees, depth 4)']);
      expect(info.task).toBe('binary-classification');
      expect(info.inputs.map((input) => [input.name, input.optional])).toEqual([
        ['age', true],
        ['income', true],
        ['ratio', true],
        ['balance', true],
      ]);
      const expected = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')).models[0];
      const row = Object.fromEntries(
        Object.entries(expected.inputs).map(([name, column]) => [name, (column as unknown[])[5]]),
      );
      const result = await service.predict(info.modelId, row);
      expect('probabilities' in result && result.probabilities).toBeTruthy();
      const probabilities = (result as { probabilities: Record<string, number> }).probabilities;
      expect(Math.abs(probabilities['1']! - expected.probabilities[5][1])).toBeLessThanOrEqual(1e-6);
    },
  );
});
