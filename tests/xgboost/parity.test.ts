import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadModelValue } from '../../main/sklearn/index.ts';
import { feedsFor, labelsOf, maxDifference, readManifest } from '../sklearn/parity-helpers.ts';

const xgboostFixtures = path.resolve(import.meta.dirname, '../fixtures/xgboost');
const manifest = readManifest(xgboostFixtures);
const tolerance = 1e-6;

/** Regression values can be large (reg:squarederror on a ×100 target): 1e-6 relative to their size. */
function maxRelativeDifference(expected: (number | null)[][], actual: ArrayLike<number>): number {
  let worst = 0;
  expected.forEach((row, i) => {
    const value = row[0]!;
    worst = Math.max(worst, Math.abs(value - actual[i]!) / Math.max(1, Math.abs(value)));
  });
  return worst;
}

describe('converted XGBoost models give xgboost’s answers on every fixture row', () => {
  for (const model of manifest.models) {
    describe(model.name, () => {
      test.each(model.files)('%s', async (file) => {
        const converted = convertSklearnValue(await loadModelValue(path.join(xgboostFixtures, file)));
        expect(converted.inputs.map((input) => input.name).sort()).toEqual(Object.keys(model.inputs).sort());
        const session = await ort.InferenceSession.create(converted.onnxBytes);
        try {
          const outputs = await session.run(feedsFor(session, model));
          if (model.probabilities) {
            expect(outputs.probabilities!.dims).toEqual([
              model.probabilities.length,
              model.probabilities[0]!.length,
            ]);
            expect(
              maxDifference(model.probabilities, outputs.probabilities!.data as Float64Array),
            ).toBeLessThanOrEqual(tolerance);
            expect(labelsOf(outputs.label!)).toEqual(model.labels);
          } else {
            expect(
              maxRelativeDifference(model.values!, outputs.variable!.data as Float64Array),
            ).toBeLessThanOrEqual(tolerance);
          }
        } finally {
          await session.release();
        }
      });
    });
  }
});
