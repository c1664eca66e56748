/**
 * Coerced rows (or columns) → onnxruntime feeds. Pure and worker-safe: the batch engine builds
 * its feeds with these functions in its worker thread.
 */
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { Tensor } from 'onnxruntime-node';
import type { ModelInput } from '../../shared/contract/index.ts';
import type { CoercedRow, FieldValue } from './payload.ts';
import type { TensorLike } from './predictions.ts';

export type Feeds = Record<string, Tensor>;

/**
 * The tensor shape for `rowCount` rows of an input, following its declared rank: [N] for rank 1,
 * [N, width] for rank 2 (so [N,1] stays [N,1]), [N, d1, d2, …] for higher ranks, [] for a scalar.
 */
export function feedShape(input: Pick<ModelInput, 'shape' | 'width'>, rowCount: number): number[] {
  const rank = input.shape.length;
  if (rank === 0) return [];
  if (rank === 1) return [rowCount];
  if (rank === 2) return [rowCount, input.width];
  const rest = input.shape.slice(1).map((dim) => (typeof dim === 'number' ? dim : 1));
  return [rowCount, ...rest];
}

/** One tensor from `values` laid out row by row (rowCount × width), in the input's element type. */
export function toTensor(
  input: Pick<ModelInput, 'type' | 'shape' | 'width'>,
  values: readonly FieldValue[],
  rowCount: number,
): Tensor {
  const dims = feedShape(input, rowCount);
  const numbers = () => values.map((value) => Number(value));
  switch (input.type) {
    case 'float':
      return new Tensor('float32', fillNumbers(new Float32Array(values.length), values), dims);
    case 'double':
      return new Tensor('float64', fillNumbers(new Float64Array(values.length), values), dims);
    case 'int64':
      return new Tensor('int64', fillInt64(new BigInt64Array(values.length), values), dims);
    case 'uint64':
      return new Tensor('uint64', fillInt64(new BigUint64Array(values.length), values), dims);
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
      // Strings (the batch engine's and coerced payloads' case) are passed as they are, not copied.
      return new Tensor(
        'string',
        values.every((value) => typeof value === 'string')
          ? (values as string[])
          : values.map((value) => String(value)),
        dims,
      );
    default:
      throw new Error(`ModelDock cannot build a tensor of element type ${input.type}.`);
  }
}

/** Number(value) of each value into `target`, without the intermediate array of `Array.from`. */
function fillNumbers<T extends Float32Array | Float64Array>(target: T, values: readonly FieldValue[]): T {
  for (let i = 0; i < values.length; i++) target[i] = Number(values[i]);
  return target;
}

const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const twoTo32 = 4294967296;

/**
 * BigInt(Math.trunc(Number(value))) of each value into `target`. A safe integer is written as its two
 * 32-bit halves instead: making a BigInt per value was most of the tensor-building time of a batch
 * run. Other values (beyond 2^53, NaN) take BigInt's own path and its errors.
 */
export function fillInt64<T extends BigInt64Array | BigUint64Array>(
  target: T,
  values: readonly FieldValue[],
): T {
  const words = littleEndian
    ? new Int32Array(target.buffer, target.byteOffset, target.length * 2)
    : undefined;
  for (let i = 0; i < values.length; i++) {
    const value = Math.trunc(Number(values[i]));
    if (!words || !Number.isSafeInteger(value) || (value < 0 && target instanceof BigUint64Array)) {
      target[i] = BigInt(value);
      continue;
    }
    const high = Math.floor(value / twoTo32);
    words[2 * i] = value - high * twoTo32; // 0 … 2^32-1, stored modulo 2^32: the low word's bits
    words[2 * i + 1] = high;
  }
  return target;
}

/** Feeds for coerced rows (as `checkRow`/`checkPayload` return them). */
export function rowsToFeeds(inputs: readonly ModelInput[], rows: readonly CoercedRow[]): Feeds {
  const columns: Record<string, FieldValue[]> = {};
  for (const input of inputs) {
    const flat: FieldValue[] = new Array(rows.length * input.width);
    rows.forEach((row, r) => {
      const values = row[input.name] ?? [];
      for (let c = 0; c < input.width; c++) flat[r * input.width + c] = values[c]!;
    });
    columns[input.name] = flat;
  }
  return columnsToFeeds(inputs, columns, rows.length);
}

/**
 * Every onnxruntime run takes a multiple of this many rows: the rows asked for, then copies of the last.
 * onnxruntime's elementwise kernels (logistic and softmax post-transforms, Exp, …) compute a buffer's full
 * blocks and its tail on different paths that can differ in the last bit, so without it a row's result
 * would depend on how many rows share its run and where it sits: Try and /predict run one row, Batch
 * thousands (docs/model-files.md; `npx tsx scripts/batch-invariance.ts` checks the test suite's models).
 * 16 covers the widest vectors (AVX-512: 16 float32).
 */
export const runRowMultiple = 16;

/**
 * The rows a run of `rowCount` rows is given: `rowCount` rounded up to runRowMultiple, or `rowCount` itself
 * when an input has no batch dimension to grow (a scalar, or a first dimension fixed by the model).
 */
export function paddedRowCount(inputs: readonly Pick<ModelInput, 'shape'>[], rowCount: number): number {
  if (rowCount === 0) return 0;
  const fixed = inputs.some((input) => input.shape.length === 0 || typeof input.shape[0] === 'number');
  return fixed ? rowCount : Math.ceil(rowCount / runRowMultiple) * runRowMultiple;
}

/** `values` (rowCount rows of `width` values) followed by copies of its last row up to `padded` rows. */
export function padRows<T>(values: readonly T[], width: number, rowCount: number, padded: number): T[] {
  const out = values.slice(0, rowCount * width);
  const last = values.slice((rowCount - 1) * width, rowCount * width);
  for (let row = rowCount; row < padded; row++) out.push(...last);
  return out;
}

/**
 * The first `rowCount` rows of each output of a run built for `rowCount` rows (padded to
 * paddedRowCount(inputs, rowCount)); outputs without that row dimension as they are.
 */
export function firstRows<T extends TensorLike>(
  outputs: Readonly<Record<string, T>>,
  inputs: readonly Pick<ModelInput, 'shape'>[],
  rowCount: number,
): Record<string, T | TensorLike> {
  const paddedTo = paddedRowCount(inputs, rowCount);
  if (paddedTo === rowCount) return outputs;
  const cut: Record<string, T | TensorLike> = {};
  for (const [name, tensor] of Object.entries(outputs)) {
    if (tensor.dims.length === 0 || tensor.dims[0] !== paddedTo) {
      cut[name] = tensor;
      continue;
    }
    const width = tensor.dims.slice(1).reduce((a, b) => a * b, 1);
    const data = tensor.data as { slice(start: number, end: number): unknown };
    cut[name] = {
      type: tensor.type,
      dims: [rowCount, ...tensor.dims.slice(1)],
      data: data.slice(0, rowCount * width),
    };
  }
  return cut;
}

/**
 * Feeds from columns: input name → rowCount × width values, row by row. The batch engine,
 * which reads CSV columns, can skip building row objects this way. The feeds hold
 * paddedRowCount(inputs, rowCount) rows: cut the outputs back with firstRows.
 */
export function columnsToFeeds(
  inputs: readonly ModelInput[],
  columns: Readonly<Record<string, readonly FieldValue[]>>,
  rowCount: number,
): Feeds {
  const feeds: Feeds = {};
  const padded = paddedRowCount(inputs, rowCount);
  for (const input of inputs) {
    const values = columns[input.name];
    if (!values || values.length !== rowCount * input.width) {
      throw new Error(
        `Column ${input.name} has ${values?.length ?? 0} values; expected ${rowCount * input.width}.`,
      );
    }
    feeds[input.name] =
      padded === rowCount
        ? toTensor(input, values, rowCount)
        : toTensor(input, padRows(values, input.width, rowCount, padded), padded);
  }
  return feeds;
}

/** True when the model's batch dimension is fixed to 1, so rows must be run one at a time. */
export function needsOneRowPerRun(inputs: readonly ModelInput[]): boolean {
  return inputs.some((input) => input.shape.length > 0 && input.shape[0] === 1);
}
