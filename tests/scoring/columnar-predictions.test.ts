import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { interactiveSessionOptions } from '../../main/models/model-service.ts';
import { type PredictionSpec, type TensorLike, toPredictions } from '../../main/models/predictions.ts';
import { columnsToFeeds } from '../../main/models/tensors.ts';
import { columnarPredictions } from '../../main/scoring/columnar-predictions.ts';
import { batchSessionOptions } from '../../main/scoring/session-predictor.ts';
import type { BatchPredictions } from '../../main/scoring/types.ts';
import { seededRandom } from '../../scripts/generate-leads.ts';
import { scoringFixture } from './helpers.ts';

let fx: Awaited<ReturnType<typeof scoringFixture>>;
beforeAll(async () => {
  fx = await scoringFixture();
});
afterAll(async () => fx.close());

/** Every field of the columnar view against the core's Prediction for the same row. */
function expectSame(spec: PredictionSpec, results: Record<string, TensorLike>, rows: number) {
  const columnar = columnarPredictions(spec, results, rows) as BatchPredictions;
  expect(columnar).not.toBeNull();
  const reference = toPredictions(spec, results, rows);
  const classes = spec.classLabels ?? [];
  reference.forEach((prediction, row) => {
    expect(columnar.label(row)).toStrictEqual(prediction.label);
    expect(columnar.probability(row)).toStrictEqual(prediction.probability);
    classes.forEach((label, k) => {
      expect(columnar.classProbability(row, k)).toStrictEqual(prediction.probabilities[String(label)]);
    });
  });
}

test('batch sessions use the same options as single predictions', () => {
  expect(batchSessionOptions).toEqual(interactiveSessionOptions);
});

test('the sample model: the columnar view reads exactly what toPredictions reads', async () => {
  const random = seededRandom(11);
  const sources = ['NA', 'events', 'organic_search', 'paid_ads', 'referral', 'social_media', 'unknown'];
  const rows = 2000;
  const columns = {
    lead_source: Array.from({ length: rows }, () => sources[Math.floor(random() * sources.length)]!),
    number_of_courses_viewed: Array.from({ length: rows }, () => Math.floor(random() * 10)),
    annual_income: Array.from({ length: rows }, () => Math.round(random() * 120_000)),
  };
  const loaded = fx.models.get(fx.info.modelId);
  const results = await loaded.session.run(columnsToFeeds(loaded.info.inputs, columns, rows));
  expectSame(loaded.info, results, rows);
});

describe('other classifier shapes', () => {
  const outputs = (labelType: string): PredictionSpec['outputs'] => [
    { name: 'label', type: labelType as 'string', shape: ['N'], role: 'label' },
    { name: 'probabilities', type: 'float', shape: ['N', 3], role: 'probabilities' },
  ];
  const probabilities = {
    type: 'float32',
    dims: [2, 3],
    data: Float32Array.from([0.2, 0.3, 0.5, 0.6, 0.3, 0.1]),
  };

  test('string labels, multiclass', () => {
    const spec: PredictionSpec = {
      outputs: outputs('string'),
      task: 'multiclass-classification',
      classLabels: ['a', 'b', 'c'],
    };
    expectSame(spec, { label: { type: 'string', dims: [2], data: ['c', 'a'] }, probabilities }, 2);
  });

  test('int64 labels, multiclass', () => {
    const spec: PredictionSpec = {
      outputs: outputs('int64'),
      task: 'multiclass-classification',
      classLabels: [3, 5, 7],
    };
    expectSame(
      spec,
      { label: { type: 'int64', dims: [2], data: BigInt64Array.from([7n, 3n]) }, probabilities },
      2,
    );
  });

  test('a single sigmoid column is left to toPredictions', () => {
    const spec: PredictionSpec = {
      outputs: outputs('int64'),
      task: 'binary-classification',
      classLabels: [0, 1],
      positiveClass: 1,
    };
    const results = {
      label: { type: 'int64', dims: [1], data: BigInt64Array.from([1n]) },
      probabilities: { type: 'float32', dims: [1, 1], data: Float32Array.from([0.8]) },
    };
    expect(columnarPredictions(spec, results, 1)).toBeNull();
  });
});
