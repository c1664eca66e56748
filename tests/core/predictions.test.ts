import { describe, expect, test } from 'vitest';
import { type PredictionSpec, tensorToJson, toPredictions } from '../../main/models/predictions.ts';

const tensor = (type: string, dims: number[], data: unknown) => ({ type, dims, data });

describe('toPredictions', () => {
  test('binary classifier: label output, probabilities keyed by class, positive-class probability', () => {
    const spec: PredictionSpec = {
      task: 'binary-classification',
      classLabels: ['no', 'yes'],
      positiveClass: 'yes',
      outputs: [
        { name: 'label', type: 'string', shape: ['N'], role: 'label' },
        { name: 'probs', type: 'float', shape: ['N', 2], role: 'probabilities' },
      ],
    };
    const predictions = toPredictions(
      spec,
      {
        label: tensor('string', [2], ['yes', 'no']),
        probs: tensor('float32', [2, 2], Float32Array.from([0.25, 0.75, 0.5, 0.5])),
      },
      2,
    );
    expect(predictions).toEqual([
      { label: 'yes', probabilities: { no: 0.25, yes: 0.75 }, probability: 0.75 },
      { label: 'no', probabilities: { no: 0.5, yes: 0.5 }, probability: 0.5 },
    ]);
  });

  test('int64 labels become numbers and match the class labels', () => {
    const spec: PredictionSpec = {
      task: 'multiclass-classification',
      classLabels: [1, 2, 3],
      outputs: [{ name: 'label', type: 'int64', shape: ['N'], role: 'label' }],
    };
    expect(toPredictions(spec, { label: tensor('int64', [1], BigInt64Array.from([3n])) }, 1)).toEqual([
      { label: 3, probabilities: {} },
    ]);
  });

  test('without a label output the most probable class is the label', () => {
    const spec: PredictionSpec = {
      task: 'multiclass-classification',
      classLabels: [0, 1, 2],
      outputs: [{ name: 'p', type: 'float', shape: ['N', 3], role: 'probabilities' }],
    };
    expect(
      toPredictions(spec, { p: tensor('float32', [1, 3], Float32Array.from([0.25, 0.5, 0.25])) }, 1)[0]!
        .label,
    ).toBe(1);
  });

  test('a single sigmoid column gives both class probabilities', () => {
    const spec: PredictionSpec = {
      task: 'binary-classification',
      classLabels: [0, 1],
      positiveClass: 1,
      outputs: [{ name: 'p', type: 'float', shape: ['N', 1], role: 'probabilities' }],
    };
    expect(toPredictions(spec, { p: tensor('float32', [1, 1], Float32Array.from([0.75])) }, 1)).toEqual([
      { label: 1, probabilities: { '0': 0.25, '1': 0.75 }, probability: 0.75 },
    ]);
  });

  test('regressors report value', () => {
    const spec: PredictionSpec = {
      task: 'regression',
      outputs: [{ name: 'y', type: 'float', shape: ['N', 1], role: 'value' }],
    };
    expect(toPredictions(spec, { y: tensor('float32', [2, 1], Float32Array.from([1.5, -2])) }, 2)).toEqual([
      { label: null, probabilities: {}, value: 1.5 },
      { label: null, probabilities: {}, value: -2 },
    ]);
  });
});

test('tensorToJson turns int64 into numbers and names element types as ModelDock does', () => {
  expect(tensorToJson(tensor('int64', [2], BigInt64Array.from([1n, -2n])))).toEqual({
    type: 'int64',
    shape: [2],
    data: [1, -2],
  });
  expect(tensorToJson(tensor('float64', [1], Float64Array.from([0.5])))).toEqual({
    type: 'double',
    shape: [1],
    data: [0.5],
  });
  expect(tensorToJson(tensor('bool', [2], Uint8Array.from([1, 0])))).toEqual({
    type: 'bool',
    shape: [2],
    data: [true, false],
  });
});
