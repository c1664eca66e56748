import type { InferenceSession } from 'onnxruntime-node';
import type { FieldValue } from '../models/payload.ts';
import { toPredictions } from '../models/predictions.ts';
import type { ModelSession } from '../models/session-host.ts';
import { columnsToFeeds, firstRows, needsOneRowPerRun } from '../models/tensors.ts';
import { columnarPredictions } from './columnar-predictions.ts';
import {
  type BatchPredictions,
  type BatchPredictor,
  type InputColumns,
  type MappingEntry,
  type ModelShape,
  predictionsView,
} from './types.ts';

/**
 * The same options as the model service's interactive sessions (a test holds them equal): graph
 * optimisations can change the last bits of a float, and batch and single probabilities must agree
 * exactly. Declared here rather than imported so the worker doesn't load the whole model service.
 */
export const batchSessionOptions: InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  // onnxruntime prints its own colour-coded log lines (graph optimiser warnings and the like) on the
  // process's stderr, which is the user's terminal for the CLI and browser mode: 220 of 1,951 inspects of
  // ONNX's own test models printed them. Fatal only: a failure reaches the user as an error anyway.
  logSeverityLevel: 4,
};

/**
 * A predictor over an onnxruntime session that uses the core's feed and prediction code, so a row
 * scored in a batch gets exactly the numbers the same row gets from a single prediction.
 */
export function createSessionPredictor(
  session: ModelSession,
  model: ModelShape,
  mapping: MappingEntry[],
): BatchPredictor {
  const oneRowAtATime = needsOneRowPerRun(model.inputs);
  const run = async (columns: Record<string, FieldValue[]>, rowCount: number) => {
    const results = firstRows(
      await session.run(columnsToFeeds(model.inputs, columns, rowCount)),
      model.inputs,
      rowCount,
    );
    return (
      columnarPredictions(model, results, rowCount) ??
      predictionsView(toPredictions(model, results, rowCount), model.classLabels)
    );
  };
  return async (columns: InputColumns, rowCount: number) => {
    const named: Record<string, FieldValue[]> = {};
    mapping.forEach((entry, k) => {
      named[entry.input] = columns[k] ?? [];
    });
    if (!oneRowAtATime) return run(named, rowCount);
    // Models whose batch dimension is fixed to 1 take one row per run.
    const rows: BatchPredictions[] = [];
    for (let row = 0; row < rowCount; row++) {
      const single: Record<string, FieldValue[]> = {};
      for (const input of model.inputs) {
        single[input.name] = (named[input.name] ?? []).slice(row * input.width, (row + 1) * input.width);
      }
      rows.push(await run(single, 1));
    }
    return concatPredictions(rows);
  };
}

/** Single-row results joined into one batch. */
function concatPredictions(rows: BatchPredictions[]): BatchPredictions {
  const at = (row: number) => rows[row];
  return {
    length: rows.length,
    label: (row) => at(row)?.label(0) ?? null,
    classProbability: (row, k) => at(row)?.classProbability(0, k),
    probability: (row) => at(row)?.probability(0),
    value: (row) => at(row)?.value(0),
  };
}
