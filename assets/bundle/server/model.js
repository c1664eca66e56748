// The model, loaded once at start: coerced rows → input tensors → onnxruntime → predictions. The rules
// (tensor layout and element types; probabilities keyed by class label, `probability` = the positive
// class for binary classifiers, `label` from the model's label output, else the most probable class,
// `value` for regressors) are ModelDock's own, from runtime.generated.js (generated from its
// main/models/tensors.ts and predictions.ts). This file adds the session and the OIP v2 datatypes.
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads.
import './no-telemetry.js';
import ort from 'onnxruntime-node';
import { RequestBatcher } from './request-batcher.js';
import { firstRows, needsOneRowPerRun, rowsToFeeds, toPredictions, toTensor } from './runtime.generated.js';

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

/** onnxruntime's tensor type names that differ from ModelDock's element type names. */
const elementTypeOfOrtType = { float32: 'float', float64: 'double' };

/** The OIP datatype of an output tensor. */
export function outputDatatype(tensor) {
  return oipDatatypes[elementTypeOfOrtType[tensor.type] ?? tensor.type] ?? 'BYTES';
}

/**
 * An OIP request tensor (flat values, already checked against the input) as an onnxruntime tensor in
 * the shape the client sent: ModelDock's element conversion on the flat values, then that shape.
 */
export function tensorFromOip(input, values, shape) {
  return toTensor({ type: input.type, shape: [values.length], width: 1 }, values, values.length).reshape(
    shape,
  );
}

/** onnxruntime refused to run these inputs (a shape it cannot use, say): the request's problem. */
export class ModelRunError extends Error {}

export class LoadedModel {
  /** @param {{batchRequests?: boolean, maxRowsPerRun?: number}} options */
  constructor(manifest, session, { batchRequests = true, maxRowsPerRun = 1024 } = {}) {
    this.spec = manifest.model;
    this.session = session;
    // Models whose batch dimension is fixed to 1 run one row at a time anyway (predict).
    this.batcher =
      batchRequests && !needsOneRowPerRun(this.spec.inputs)
        ? new RequestBatcher((rows) => this.scoreRows(rows), { maxRows: maxRowsPerRun })
        : undefined;
  }

  /** @param {{batchRequests?: boolean}} options BATCH_REQUESTS (readConfig) */
  static async load(manifest, modelBytes, options = {}) {
    // One intra-op thread: these models are tiny, and a thread pool per run costs more than it saves;
    // the service scales with replicas instead (ORT_INTRA_OP_THREADS overrides).
    const session = await ort.InferenceSession.create(modelBytes, {
      intraOpNumThreads: Number(process.env.ORT_INTRA_OP_THREADS || 1),
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    return new LoadedModel(manifest, session, options);
  }

  /** Feeds for coerced rows ({input: [width values]}), one tensor per model input. */
  feedsFor(rows) {
    return rowsToFeeds(this.spec.inputs, rows);
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

  /**
   * onnxruntime refuses some inputs only when it runs (a shape it cannot broadcast, say): that is the
   * request's problem, thrown as `toClientError(reason)`, as ModelDock does. Any other failure stays a 500.
   */
  async runForClient(feeds, toClientError) {
    try {
      return await this.run(feeds);
    } catch (error) {
      if (error instanceof ModelRunError) throw toClientError(error.message);
      throw error;
    }
  }

  async predictForClient(rows, toClientError) {
    try {
      return await this.predict(rows);
    } catch (error) {
      if (error instanceof ModelRunError) throw toClientError(error.message);
      throw error;
    }
  }

  /**
   * Scores coerced rows, with the other requests read in the same turn (BATCH_REQUESTS); models whose
   * batch dimension is fixed to 1 run one row at a time.
   */
  async predict(rows) {
    if (this.batcher) return this.batcher.score(rows);
    if (!needsOneRowPerRun(this.spec.inputs) || rows.length === 1) return this.scoreRows(rows);
    const predictions = [];
    for (const row of rows) predictions.push(...this.predictions(await this.runRows([row]), 1));
    return predictions;
  }

  /** Predictions of these rows from one run. */
  async scoreRows(rows) {
    return this.predictions(await this.runRows(rows), rows.length);
  }

  /** One run for these rows: ModelDock's feeds (padded to its run size) and the outputs of these rows. */
  async runRows(rows) {
    const outputs = await this.run(this.feedsFor(rows));
    return firstRows(outputs, this.spec.inputs, rows.length);
  }
}
