import { AppError } from '../errors.ts';
import { readFields, WireError } from '../onnx/wire.ts';
import { inspectModel, type ModelInspection } from './inspect.ts';
import { type OnnxModel, onnx } from './onnx-model.ts';
import { checkTreeNodes, countTreeNodes } from './tree-node-limit.ts';
import { bypassZipMaps, findZipMaps } from './zipmap.ts';

/** An ONNX model ready to serve: the bytes onnxruntime runs and what ModelDock learned from it. */
export interface PreparedOnnx {
  inspection: ModelInspection;
  /** The original bytes, or a rewritten copy when a ZipMap was bypassed. */
  servedBytes: Uint8Array;
  zipMapRemoved: boolean;
}

const fieldNames: Record<number, string> = {
  1: 'ir_version',
  2: 'producer_name',
  3: 'producer_version',
  4: 'domain',
  5: 'model_version',
  6: 'doc_string',
  7: 'graph',
  8: 'opset_import',
  14: 'metadata_props',
  20: 'training_info',
  25: 'functions',
};

/** Decodes ONNX bytes, telling a cut-off file from a damaged one in words a person can act on. */
export function decodeOnnx(bytes: Uint8Array, fileName: string): OnnxModel {
  let fields: ReturnType<typeof readFields>;
  try {
    fields = readFields(bytes);
  } catch (error) {
    if (error instanceof WireError && error.kind === 'truncated') {
      const what = fieldNames[error.field] ?? (error.field ? `field ${error.field}` : 'its last field');
      throw new AppError(
        'corrupt-model',
        `${fileName} ends early: ${what} needs ${error.missingBytes} more bytes; the file is truncated (an interrupted download or copy?).`,
        { missingBytes: error.missingBytes },
      );
    }
    throw new AppError(
      'corrupt-model',
      `${fileName} starts like an ONNX model but its contents are damaged.`,
    );
  }
  if (!fields.some((field) => field.field === 7)) {
    throw new AppError(
      'corrupt-model',
      `${fileName} is not a complete ONNX model: it has no graph (is the file truncated?).`,
    );
  }
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new AppError('corrupt-model', `${fileName} starts like an ONNX model but its graph is damaged.`, {
      reason: (error as Error).message,
    });
  }
}

/** Decode, inspect, and bypass ZipMaps; the original bytes are served unchanged when nothing needs a rewrite. */
export function prepareOnnx(bytes: Uint8Array, fileName: string): PreparedOnnx {
  const model = decodeOnnx(bytes, fileName);
  // Before onnxruntime sees the graph: it would build these trees natively on the app's thread.
  checkTreeNodes(countTreeNodes(model));
  try {
    const zipMaps = findZipMaps(model);
    const inspection = inspectModel(model, zipMaps);
    if (zipMaps.length === 0) return { inspection, servedBytes: bytes, zipMapRemoved: false };
    return { inspection, servedBytes: bypassZipMaps(bytes, zipMaps, model), zipMapRemoved: true };
  } catch (error) {
    if (error instanceof AppError) throw error;
    // A graph that decodes but does not hold together (found by fuzzing: damaged nested fields).
    throw new AppError('corrupt-model', `${fileName} starts like an ONNX model but its graph is damaged.`, {
      reason: (error as Error).message,
    });
  }
}
