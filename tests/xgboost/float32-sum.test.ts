// xgboost sums leaf values in float32, tree by tree, from the base margin. For reg:squarederror the
// prediction IS that float32 sum, so the converted model must give exactly the same bits; a
// double sum (or another order) of 200 trees on a ×100 target does not.
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { expect, test } from 'vitest';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadModelValue } from '../../main/sklearn/index.ts';
import { feedsFor, readManifest } from '../sklearn/parity-helpers.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/xgboost');

test('a 200-tree reg:squarederror model predicts xgboost’s float32 values bit for bit', async () => {
  const model = readManifest(fixtures).models.find(
    (entry) => entry.name === 'XGBRegressor reg:squarederror',
  )!;
  const converted = convertSklearnValue(await loadModelValue(path.join(fixtures, model.files[0]!)));
  const session = await ort.InferenceSession.create(converted.onnxBytes, { intraOpNumThreads: 1 });
  try {
    const outputs = await session.run(feedsFor(session, model));
    const got = Array.from(outputs.variable!.data as Float64Array);
    expect(got).toEqual(model.values!.map((row) => row[0]));
    // The same leaves summed in double differ: the float32 sequence is what makes this exact.
    expect(got.some((value) => Math.fround(value) !== value)).toBe(false);
  } finally {
    await session.release();
  }
});
