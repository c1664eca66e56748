// Runs tests/fixtures/models.json: every model file with the outcome ModelDock must give for it.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { isAppError } from '../../main/errors.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { modelInfoSchema, predictResultSchema } from '../../shared/contract/index.ts';

interface ModelRow {
  file: string;
  source: string;
  format?: string;
  task?: string;
  classLabels?: (string | number)[];
  zipMapRemoved?: boolean;
  predict?: {
    payload: unknown;
    label?: string | number;
    probabilities?: Record<string, number>;
    value?: number;
    warnings: string[];
  };
  error?: { code: string; message: string };
}

const root = path.resolve(import.meta.dirname, '../..');
const table = JSON.parse(readFileSync(path.join(root, 'tests/fixtures/models.json'), 'utf8')) as {
  models: ModelRow[];
};
const service = new ModelService({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'modeldock-models-')) });
afterAll(() => service.closeAll());

describe('tests/fixtures/models.json', () => {
  for (const row of table.models) {
    test(row.file, async () => {
      const opening = service.open(path.join(root, row.file));
      if (row.error) {
        const error = await opening.then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(isAppError(error), `expected ${row.error.code}, got ${String(error)}`).toBe(true);
        expect({ code: (error as { code: string }).code, message: (error as Error).message }).toEqual(
          row.error,
        );
        return;
      }
      const info = modelInfoSchema.parse(await opening);
      expect(info.format).toBe(row.format);
      if (row.task) expect(info.task).toBe(row.task);
      if (row.classLabels) expect(info.classLabels).toEqual(row.classLabels);
      if (row.zipMapRemoved !== undefined) expect(info.zipMapRemoved).toBe(row.zipMapRemoved);
      if (!row.predict) return;
      const result = predictResultSchema.parse(await service.predict(info.modelId, row.predict.payload));
      if (row.predict.label !== undefined) expect(result.label).toEqual(row.predict.label);
      if (row.predict.probabilities) {
        expect(Object.keys(result.probabilities).sort()).toEqual(
          Object.keys(row.predict.probabilities).sort(),
        );
        for (const [label, p] of Object.entries(row.predict.probabilities)) {
          expect(Math.abs(result.probabilities[label]! - p), `class ${label}`).toBeLessThan(1e-6);
        }
      }
      if (row.predict.value !== undefined) expect(result.value).toBeCloseTo(row.predict.value, 4);
      expect(result.warnings.map((warning) => warning.code)).toEqual(row.predict.warnings);
    });
  }
});
