import type { PredictionSpec, TensorLike } from '../models/predictions.ts';
import type { BatchPredictions, ClassLabel } from './types.ts';

/**
 * A columnar view of a classifier's outputs: the label tensor and the [N, classes] probability
 * tensor read in place. It follows the core's toPredictions rules for this shape (label output
 * mapped onto the model's class labels, probabilities in class order, the positive class's
 * probability for binary models) without making an object per row — at a million rows that
 * object-building cost more than inference itself. Returns null for any other output shape, and
 * the engine then uses toPredictions. tests/scoring/columnar-predictions.test.ts holds the two equal.
 */
export function columnarPredictions(
  spec: PredictionSpec,
  results: Readonly<Record<string, TensorLike>>,
  rowCount: number,
): BatchPredictions | null {
  const classes = spec.classLabels ?? [];
  if (spec.task !== 'binary-classification' && spec.task !== 'multiclass-classification') return null;
  const labelOutput = spec.outputs.find((output) => output.role === 'label' && results[output.name]);
  const probabilityOutput = spec.outputs.find(
    (output) => output.role === 'probabilities' && results[output.name],
  );
  if (!labelOutput || !probabilityOutput || classes.length < 2) return null;
  const labels = results[labelOutput.name]!;
  const probabilities = results[probabilityOutput.name]!;
  const probabilityData = probabilities.data as ArrayLike<number>;
  const labelData = labels.data as ArrayLike<number | bigint | string | boolean>;
  const width = classes.length;
  if (!(probabilityData instanceof Float32Array || probabilityData instanceof Float64Array)) return null;
  if (probabilityData.length !== rowCount * width || labelData.length !== rowCount) return null;
  if (labels.type === 'bool') return null;
  const byText = new Map<string, ClassLabel>(classes.map((label) => [String(label), label]));
  const positiveIndex =
    spec.task === 'binary-classification' && spec.positiveClass !== undefined
      ? classes.findIndex((label) => String(label) === String(spec.positiveClass))
      : -1;
  return {
    length: rowCount,
    label(row) {
      const raw = labelData[row];
      if (raw === undefined) return null;
      const value = typeof raw === 'bigint' ? Number(raw) : (raw as number | string);
      return byText.get(String(value)) ?? value;
    },
    classProbability: (row, k) => (k < width ? probabilityData[row * width + k] : undefined),
    probability: (row) => (positiveIndex >= 0 ? probabilityData[row * width + positiveIndex] : undefined),
    value: () => undefined,
  };
}
