// The model, loaded once at start: coerced rows → input tensors → onnxruntime → predictions, with the
// same rules as ModelDock (JavaScript ports of its main/models/tensors.ts and predictions.ts):
// probabilities keyed by class label, `probability` = the positive class for binary classifiers,
// `label` from the model's label output (else the most probable class), `value` for regressors.
import ort from 'onnxruntime-node';

const { Tensor } = ort;

/** OIP v2 datatype names for ONNX element types (ModelDock's names). */
export const oipDatatypes = {
  float: 'FP32',
  double: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

/** onnxruntime tensor type names → OIP datatypes (for outputs). */
const ortDatatypes = {
  float32: 'FP32',
  float64: 'FP64',
  float16: 'FP16',
  int8: 'INT8',
  int16: 'INT16',
  int32: 'INT32',
  int64: 'INT64',
  uint8: 'UINT8',
  uint16: 'UINT16',
  uint32: 'UINT32',
  uint64: 'UINT64',
  bool: 'BOOL',
  string: 'BYTES',
};

export function outputDatatype(tensor) {
  return ortDatatypes[tensor.type] ?? 'BYTES';
}

/** [N] for rank 1, [N, width] for rank 2, [N, d1, …] for higher ranks, [] for a scalar. */
export function feedShape(input, rowCount) {
  const rank = input.shape.length;
  if (rank === 0) return [];
  if (rank === 1) return [rowCount];
  if (rank === 2) return [rowCount, input.width];
  return [rowCount, ...input.shape.slice(1).map((dim) => (typeof dim === 'number' ? dim : 1))];
}

/** One tensor of the input's element type from values laid out row by row. */
export function toTensor(input, values, dims) {
  const numbers = () => values.map((value) => Number(value));
  switch (input.type) {
    case 'float':
      return new Tensor('float32', Float32Array.from(numbers()), dims);
    case 'double':
      return new Tensor('float64', Float64Array.from(numbers()), dims);
    case 'int64':
      return new Tensor(
        'int64',
        BigInt64Array.from(values, (value) => BigInt(Math.trunc(Number(value)))),
        dims,
      );
    case 'uint64':
      return new Tensor(
        'uint64',
        BigUint64Array.from(values, (value) => BigInt(Math.trunc(Number(value)))),
        dims,
      );
    case 'int32':
      return new Tensor('int32', Int32Array.from(numbers()), dims);
    case 'int16':
      return new Tensor('int16', Int16Array.from(numbers()), dims);
    case 'int8':
      return new Tensor('int8', Int8Array.from(numbers()), dims);
    case 'uint32':
      return new Tensor('uint32', Uint32Array.from(numbers()), dims);
    case 'uint16':
      return new Tensor('uint16', Uint16Array.from(numbers()), dims);
    case 'uint8':
      return new Tensor('uint8', Uint8Array.from(numbers()), dims);
    case 'bool':
      return new Tensor(
        'bool',
        Uint8Array.from(values, (value) => (value === true || value === 1 ? 1 : 0)),
        dims,
      );
    case 'string':
      return new Tensor(
        'string',
        values.map((value) => String(value)),
        dims,
      );
    default:
      throw new Error(`This service cannot build a tensor of element type ${input.type}.`);
  }
}

/** The tensor's values as plain JSON values; 64-bit integers become numbers. */
export function tensorValues(tensor) {
  const data = tensor.data;
  const out = new Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    out[i] = typeof value === 'bigint' ? Number(value) : tensor.type === 'bool' ? Boolean(value) : value;
  }
  return out;
}

function rowWidth(tensor, rowCount) {
  const size = tensor.dims.reduce((a, b) => a * b, 1);
  return rowCount > 0 ? Math.max(1, Math.floor(size / rowCount)) : 0;
}

function labelFor(spec, value) {
  if (typeof value === 'boolean') return value ? 1 : 0;
  const match = spec.classLabels?.find((label) => String(label) === String(value));
  return match ?? value;
}

/** One prediction per row, as ModelDock's toPredictions. */
export function toPredictions(spec, results, rowCount) {
  const byRole = (role) => spec.outputs.find((output) => output.role === role && results[output.name]);
  const labelOutput = byRole('label');
  const probabilityOutput = byRole('probabilities');
  const valueOutput = byRole('value');
  const labels = labelOutput ? tensorValues(results[labelOutput.name]) : undefined;
  const labelWidth = labelOutput ? rowWidth(results[labelOutput.name], rowCount) : 0;
  const probabilityTensor = probabilityOutput ? results[probabilityOutput.name] : undefined;
  const probabilities = probabilityTensor ? tensorValues(probabilityTensor) : undefined;
  const probabilityWidth = probabilityTensor ? rowWidth(probabilityTensor, rowCount) : 0;
  const values = valueOutput ? tensorValues(results[valueOutput.name]) : undefined;
  const valueWidth = valueOutput ? rowWidth(results[valueOutput.name], rowCount) : 0;
  const classLabels = spec.classLabels ?? [];

  const predictions = [];
  for (let row = 0; row < rowCount; row++) {
    const prediction = { label: null, probabilities: {} };
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
      prediction.label = labelFor(spec, labels[row * labelWidth]);
    } else if (Object.keys(prediction.probabilities).length > 0) {
      let best = classLabels[0];
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

/** onnxruntime refused to run these inputs (a shape it cannot use, say): the request's problem. */
export class ModelRunError extends Error {}

export class LoadedModel {
  constructor(manifest, session) {
    this.spec = manifest.model;
    this.session = session;
  }

  static async load(manifest, modelBytes) {
    // One intra-op thread: these models are tiny, and a thread pool per run costs more than it saves;
    // the service scales with replicas instead (ORT_INTRA_OP_THREADS overrides).
    const session = await ort.InferenceSession.create(modelBytes, {
      intraOpNumThreads: Number(process.env.ORT_INTRA_OP_THREADS || 1),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new LoadedModel(manifest, session);
  }

  /** Feeds for coerced rows ({input: [width values]}), one tensor per model input. */
  feedsFor(rows) {
    const feeds = {};
    for (const input of this.spec.inputs) {
      const flat = new Array(rows.length * input.width);
      rows.forEach((row, r) => {
        const values = row[input.name];
        for (let c = 0; c < input.width; c++) flat[r * input.width + c] = values[c];
      });
      feeds[input.name] = toTensor(input, flat, feedShape(input, rows.length));
    }
    return feeds;
  }

  async run(feeds) {
    try {
      return await this.session.run(feeds);
    } catch (error) {
      throw new ModelRunError(String(error?.message ?? error).split('\n')[0]);
    }
  }

  predictions(outputs, rowCount) {
    return toPredictions(this.spec, outputs, rowCount);
  }

  /** Scores coerced rows; models whose batch dimension is fixed to 1 run one row at a time. */
  async predict(rows) {
    const oneRowPerRun = this.spec.inputs.some((input) => input.shape.length > 0 && input.shape[0] === 1);
    if (!oneRowPerRun || rows.length === 1)
      return this.predictions(await this.run(this.feedsFor(rows)), rows.length);
    const predictions = [];
    for (const row of rows) predictions.push(...this.predictions(await this.run(this.feedsFor([row])), 1));
    return predictions;
  }
}
