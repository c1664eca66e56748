import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  driverCells,
  driverColumns,
  explainCost,
  globalImportance,
  ImportanceAccumulator,
} from '../../main/analysis/explain-batch.ts';

describe('batch explanations', () => {
  test('driver columns and cells: largest |φ| first, zeros are not drivers', () => {
    expect(driverColumns()).toEqual([
      'driver_1',
      'driver_1_contribution',
      'driver_2',
      'driver_2_contribution',
      'driver_3',
      'driver_3_contribution',
    ]);
    expect(driverCells(['a', 'b', 'c', 'd'], [0.1, -0.3, 0, 0.2])).toEqual([
      'b',
      '-0.3',
      'd',
      '0.2',
      'a',
      '0.1',
    ]);
    expect(driverCells(['a', 'b'], [0, 0.5])).toEqual(['b', '0.5', '', '', '', '']);
  });

  test('the drivers of any row are sorted by size and are the largest', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 1, maxLength: 15 }),
        (phi) => {
          const names = phi.map((_, i) => `x${i}`);
          const cells = driverCells(names, phi);
          const chosen = [0, 2, 4].map((k) => cells[k]).filter((name) => name !== '');
          const sizes = chosen.map((name) => Math.abs(phi[names.indexOf(name!)]!));
          expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
          const smallestChosen = Math.min(...sizes, Number.POSITIVE_INFINITY);
          const left = phi.filter((_, i) => !chosen.includes(names[i]!)).map(Math.abs);
          if (chosen.length === 3) for (const size of left) expect(size).toBeLessThanOrEqual(smallestChosen);
        },
      ),
    );
  });

  test('the cost: rows the model scores per explained row', () => {
    expect(explainCost(3, 1000, 1462)).toEqual({
      modelRowsPerRow: 7001,
      modelRows: 7001 * 1462,
      method: 'exact',
    });
    expect(explainCost(40, 200, 1, 32)).toEqual({
      modelRowsPerRow: 1 + (1 + 32 * 39) * 200,
      modelRows: 1 + (1 + 32 * 39) * 200,
      method: 'sampled',
    });
  });

  test('global importance: mean |φ| and mean φ by score decile, across workers in file order', () => {
    const a = new ImportanceAccumulator(['x', 'y']);
    const b = new ImportanceAccumulator(['x', 'y']);
    for (let r = 0; r < 20; r++) (r < 12 ? a : b).add(r / 20, [r % 2 === 0 ? 1 : -1, r]);
    const importance = globalImportance([a.finish(), b.finish()])!;
    expect(importance.rows).toBe(20);
    expect(importance.meanAbsolute).toEqual([1, 9.5]);
    expect(importance.byDecile).toHaveLength(10);
    expect(importance.byDecile[0]).toEqual({
      decile: 1,
      rows: 2,
      minScore: 0,
      maxScore: 0.05,
      meanContribution: [0, 0.5],
    });
    expect(importance.byDecile[9]!.meanContribution).toEqual([0, 18.5]);
  });
});

describe('batch rows are explained as Try explains them', () => {
  test('the same contributions as explainRow, row by row, through the engine’s predictor', async () => {
    const { ModelService } = await import('../../main/models/model-service.ts');
    const { readBackgroundCsv } = await import('../../main/analysis/background.ts');
    const { explainRow } = await import('../../main/analysis/explain.ts');
    const { createBatchExplainer } = await import('../../main/analysis/explain-batch.ts');
    const { createSessionPredictor } = await import('../../main/scoring/session-predictor.ts');
    const os = await import('node:os');
    const path = await import('node:path');
    const repo = path.resolve(import.meta.dirname, '../..');
    const service = new ModelService({ dataDir: path.join(os.tmpdir(), 'modeldock-explain-batch') });
    try {
      const info = await service.open(path.join(repo, 'tests/fixtures/sklearn/pipeline_v1.bin'));
      const model = service.get(info.modelId);
      const background = await readBackgroundCsv(
        info.inputs,
        path.join(repo, 'tests/fixtures/explain/lead_background_100.csv'),
      );
      const mapping = info.inputs.map((input) => ({
        input: input.name,
        kind: input.kind,
        columns: [],
        expectedNames: [],
      }));
      const predict = createSessionPredictor(model.session, info, mapping);
      const rows = background.rows.slice(0, 4);
      const columns = info.inputs.map((input) => rows.flatMap((row) => row[input.name]!));
      const explainBatch = createBatchExplainer({
        inputs: info.inputs,
        model: info,
        background: background.rows,
        predict,
      });
      const batch = await explainBatch(columns, rows.length, await predict(columns, rows.length));
      for (let r = 0; r < rows.length; r++) {
        const payload = Object.fromEntries(
          info.inputs.map((input) => {
            const value = rows[r]![input.name]![0];
            return [
              input.name,
              value === '' || (typeof value === 'number' && Number.isNaN(value)) ? null : value,
            ];
          }),
        );
        const single = await explainRow(model, payload, background);
        expect(Array.from(batch[r]!)).toEqual(single.contributions.map((c) => c.contribution));
      }
    } finally {
      await service.closeAll();
    }
  });
});
