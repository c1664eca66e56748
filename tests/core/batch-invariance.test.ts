// A row's prediction must not depend on the rows it is scored with: Try, `modeldock predict` and the
// exported service's /predict score one row per request, Batch thousands per run, and the product's
// promise is that production answers what the analyst saw, to the last bit. onnxruntime's elementwise
// kernels compute a buffer's full blocks and its tail on paths that can differ in the last bit (11 of
// these 64 models did before runs were padded: main/models/tensors.ts runRowMultiple).
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generatedRow } from '../../main/export/samples.ts';
import { paddedRowCount, runRowMultiple } from '../../main/models/tensors.ts';
import { createAppServices } from '../../main/services.ts';
import { tempDir } from '../export/helpers.ts';
import { modelRows, repoRoot } from '../helpers/models-table.ts';

// Every model of the test suite that opens, one file per model (the other pickle protocols and joblib
// compressions of a file hold the same model).
const files = [
  ...new Set(
    modelRows
      .filter((row) => (row.reader === undefined && row.predict) || (row.reader === 'sklearn' && !row.error))
      .map((row) => row.file)
      .filter((file) => !/\.(pickle[345]|joblib)\.(pkl|joblib)$/.test(file) && !/joblib-/.test(file)),
  ),
];

describe('a row scores the same alone and among other rows', () => {
  let services: ReturnType<typeof createAppServices>;
  beforeAll(async () => {
    services = createAppServices({ mode: 'cli', dataDir: await tempDir('batch-invariance') });
  });
  afterAll(async () => services?.dispose());

  it(`for every one of the ${files.length} models of the test suite, to the last bit`, async () => {
    expect(files.length).toBeGreaterThanOrEqual(60);
    const differing: string[] = [];
    for (const file of files) {
      const info = await services.models.open(path.join(repoRoot, file));
      const rows = Array.from({ length: 24 }, (_, variant) => generatedRow(info.inputs, variant));
      const answer = (prediction: { probabilities?: unknown; value?: unknown; label?: unknown }) =>
        JSON.stringify([prediction.label, prediction.probabilities ?? null, prediction.value ?? null]);
      // Batches of several sizes, so each row sits at several places in a run's buffers.
      const batches: string[][] = [];
      for (const size of [24, 7, 5, 3]) {
        const result = await services.models.predict(info.modelId, { instances: rows.slice(0, size) });
        if (!('predictions' in result)) throw new Error(`${file}: a batch answered as one row`);
        batches.push(result.predictions.map(answer));
      }
      for (const [index, row] of rows.entries()) {
        const alone = await services.models.predict(info.modelId, row);
        if (!('label' in alone)) throw new Error(`${file}: one row answered as a batch`);
        const expected = answer(alone);
        for (const batch of batches)
          if (batch[index] !== undefined && batch[index] !== expected) differing.push(`${file} row ${index}`);
      }
      await services.models.close(info.modelId);
    }
    expect([...new Set(differing)]).toEqual([]);
  }, 240_000);
});

describe('paddedRowCount', () => {
  const symbolic = [{ shape: ['N', 3] }, { shape: [null] }];
  it('rounds a run up to the run size when every input has a batch dimension to grow', () => {
    expect(runRowMultiple).toBe(16);
    expect([0, 1, 15, 16, 17, 1000].map((rows) => paddedRowCount(symbolic, rows))).toEqual([
      0, 16, 16, 16, 32, 1008,
    ]);
  });
  it('leaves the rows as they are when an input is a scalar or its first dimension is fixed', () => {
    expect(paddedRowCount([...symbolic, { shape: [] }], 3)).toBe(3);
    expect(paddedRowCount([...symbolic, { shape: [1, 4] }], 1)).toBe(1);
    expect(paddedRowCount([{ shape: [8, 2] }], 8)).toBe(8);
  });
});
