/**
 * Session outputs → predictions. Pure and worker-safe (the batch engine turns its outputs into
 * predictions with the same rules as the app and the exported server).
 */
import type { ElementType, ModelInfo, Prediction } from '../../shared/contract/index.ts';

/** What ModelDock needs of an onnxruntime Tensor (structural, so workers need not share classes). */
export interface TensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The parts of ModelInfo that decide how outputs read. */
export type PredictionSpec = Pick<ModelInfo, 'outputs' | 'task' | 'classLabels' | 'positiveClass'>;

/** A tensor as JSON: numbers (int64 converted), strings or booleans, with its shape. */
export interface TensorJson {
  type: ElementType;
  shape: number[];
  data: (number | string | boolean)[];
}

const ortToElementType: Record<string, ElementType> = {
  float32: 'float',
  float64: 'double',
  float16: 'float16',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  uint64: 'uint64',
  bool: 'bool',
  string: 'string',
};

/** The tensor's values as plain JS values; 64-bit integers become numbers. */
export function tensorValues(tensor: TensorLike): (number | string | boolean)[] {
  const data = tensor.data as ArrayLike<number | bigint | string | boolean>;
  const out: (number | string | boolean)[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i]!;
    out[i] = typeof value === 'bigint' ? Number(value) : tensor.type === 'bool' ? Boolean(value) : value;
  }
  return out;
}

export function tensorToJson(tensor: TensorLike): TensorJson {
  return {
    type: ortToElementType[tensor.type] ?? 'unknown',
    shape: [...tensor.dims],
    data: tensorValues(tensor),
  };
}

/** Values per row of an output tensor holding `rowCount` rows. */
function rowWidth(tensor: TensorLike, rowCount: number): number {
  const size = tensor.dims.reduce((a, b) => a * b, 1);
  return rowCount > 0 ? Math.max(1, Math.floor(size / rowCount)) : 0;
}

function labelFor(spec: PredictionSpec, value: number | string | boolean): string | number {
  if (typeof value === 'boolean') return value ? 1 : 0;
  // Class labels are numbers or strings; keep the model's own label value when it is one of them.
  const match = spec.classLabels?.find((label) => String(label) === String(value));
  return match ?? value;
}

/**
 * One Prediction per row: label, probabilities keyed by class label (as a string), `probability`
 * of the positive class for binary classifiers, `value` for single-output regressors.
 * Without a label output the label is the most probable class.
 */
export function toPredictions(
  spec: PredictionSpec,
  results: Readonly<Record<string, TensorLike>>,
  rowCount: number,
): Prediction[] {
  const byRole = (role: string) =>
    spec.outputs.find((output) => output.role === role && results[output.name]);
  const labelOutput = byRole('label');
  const probabilityOutput = byRole('probabilities');
  const valueOutput = byRole('value');
  const labels = labelOutput ? tensorValues(results[labelOutput.name]!) : undefined;
  const probabilityTensor = probabilityOutput ? results[probabilityOutput.name]! : undefined;
  const probabilities = probabilityTensor ? tensorValues(probabilityTensor) : undefined;
  const probabilityWidth = probabilityTensor ? rowWidth(probabilityTensor, rowCount) : 0;
  const values = valueOutput ? tensorValues(results[valueOutput.name]!) : undefined;
  const valueWidth = valueOutput ? rowWidth(results[valueOutput.name]!, rowCount) : 0;
  const classLabels = spec.classLabels ?? [];

  const predictions: Prediction[] = [];
  for (let row = 0; row < rowCount; row++) {
    const prediction: Prediction = { label: null, probabilities: {} };
    if (probabilities && classLabels.length > 0) {
      const start = row * probabilityWidth;
      if (probabilityWidth === 1 && classLabels.length === 2) {
        // A single sigmoid column is the positive class's probability.
        const p = Number(probabilities[start]);
        prediction.probabilities[String(classLabels[0])] = 1 - p;
        prediction.probabilities[String(classLabels[1])] = p;
      } else {
        for (let c = 0; c < Math.min(probabilityWidth, classLabels.length); c++) {
          prediction.probabilities[String(classLabels[c])] = Number(probabilities[start + c]);
        }
      }
    }
    if (labels) {
      prediction.label = labelFor(spec, labels[row * rowWidth(results[labelOutput!.name]!, rowCount)]!);
    } else if (Object.keys(prediction.probabilities).length > 0) {
      let best = classLabels[0]!;
      for (const label of classLabels) {
        if ((prediction.probabilities[String(label)] ?? -1) > (prediction.probabilities[String(best)] ?? -1))
          best = label;
      }
      prediction.label = best;
    }
    if (spec.task === 'binary-classification' && spec.positiveClass !== undefined) {
      const p = prediction.probabilities[String(spec.positiveClass)];
      if (p !== undefined) prediction.probability = p;
    }
    if (values && valueWidth === 1) prediction.value = Number(values[row]);
    predictions.push(prediction);
  }
  return predictions;
}
