import type { InferenceSession } from 'onnxruntime-node';
import type { ModelInfo, ModelInput, Prediction } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { toPredictions } from '../models/predictions.ts';
import { type Feeds, toTensor } from '../models/tensors.ts';
import { toCategory, toNumber } from './psi.ts';

/** What the library needs of an open model: its description and its onnxruntime session. */
export interface OpenModel {
  info: ModelInfo;
  session: InferenceSession;
}

/** The CSV columns an input reads: its own name, or one column per feature for an [N,F] input. */
export function inputColumnNames(input: ModelInput): string[] {
  if (input.width === 1) return [input.name];
  if (input.featureNames && input.featureNames.length === input.width) return input.featureNames;
  return Array.from({ length: input.width }, (_, i) => `${input.name}_${i}`);
}

/** Values for rows where a cell is empty: by input (or feature) name. */
export type FillValues = Record<string, string | number>;

/** One batch turned into per-input values, with the rows that could not be used and why. */
export interface ConvertedBatch {
  /** Data row numbers (1-based) of the rows that were converted. */
  rowNumbers: number[];
  values: Map<string, Array<number | string | boolean>>;
  errors: Array<{ row: number; message: string }>;
}

/**
 * Reads each input's cells from CSV rows: numbers parsed (empty → fill value or error), strings kept,
 * booleans from true/false/1/0. A row with any unusable cell is left out with a one-sentence reason.
 */
export function convertRows(
  inputs: readonly ModelInput[],
  columnIndex: ReadonlyMap<string, number>,
  rows: readonly string[][],
  firstRow: number,
  fill: FillValues = {},
  /** The header's field count: rows with more or fewer fields are left out (not read as empty cells). */
  fieldCount?: number,
): ConvertedBatch {
  const values = new Map<string, Array<number | string | boolean>>(inputs.map((input) => [input.name, []]));
  const rowNumbers: number[] = [];
  const errors: ConvertedBatch['errors'] = [];
  const plan = inputs.map((input) => ({
    input,
    columns: inputColumnNames(input).map((column) => ({ column, index: columnIndex.get(column)! })),
  }));
  const scratch: Array<Array<number | string | boolean>> = inputs.map(() => []);
  nextRow: for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    const rowNumber = firstRow + r;
    if (fieldCount !== undefined && row.length !== fieldCount) {
      errors.push({
        row: rowNumber,
        message: `the row has ${row.length} fields but the header has ${fieldCount}`,
      });
      continue;
    }
    for (let p = 0; p < plan.length; p++) {
      const { input, columns } = plan[p]!;
      const out = scratch[p]!;
      out.length = 0;
      for (const { column, index } of columns) {
        const cell = convertCell(input, row[index] ?? '', fill[column] ?? fill[input.name]);
        if (typeof cell === 'object') {
          errors.push({ row: rowNumber, message: `${column}: ${cell.error}` });
          continue nextRow;
        }
        out.push(cell);
      }
    }
    rowNumbers.push(rowNumber);
    for (let p = 0; p < plan.length; p++) values.get(plan[p]!.input.name)!.push(...scratch[p]!);
  }
  return { rowNumbers, values, errors };
}

function convertCell(
  input: ModelInput,
  cell: string,
  fill: string | number | undefined,
): number | string | boolean | { error: string } {
  const empty = cell.trim() === '';
  const source = empty && fill !== undefined ? fill : cell;
  if (empty && fill === undefined) return { error: 'the cell is empty (give a fill value for it)' };
  if (input.kind === 'numeric') {
    const value = toNumber(source);
    return value === null ? { error: `"${source}" is not a number` } : value;
  }
  if (input.kind === 'bool') {
    const text = String(source).trim().toLowerCase();
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    return { error: `"${source}" is not true or false` };
  }
  return toCategory(source) ?? '';
}

/**
 * Feeds for a model. Inputs whose type and shape match the other model's reuse its tensors (sharing is
 * what keeps comparing two models near twice the cost of scoring one: the CSV is parsed and converted once).
 */
export function buildFeeds(
  inputs: readonly ModelInput[],
  converted: ConvertedBatch,
  reuse?: { inputs: readonly ModelInput[]; feeds: Feeds },
): Feeds {
  const rows = converted.rowNumbers.length;
  const feeds: Feeds = {};
  for (const input of inputs) {
    const twin = reuse?.inputs.find((other) => other.name === input.name);
    if (twin && reuse && sameTensorShape(twin, input)) feeds[input.name] = reuse.feeds[input.name]!;
    else feeds[input.name] = toTensor(input, converted.values.get(input.name)!, rows);
  }
  return feeds;
}

function sameTensorShape(a: ModelInput, b: ModelInput): boolean {
  return a.type === b.type && a.width === b.width && a.shape.length === b.shape.length;
}

/** Per-row results of one batch: the decision score (positive-class probability or value) and the prediction. */
export interface BatchScores {
  scores: Float64Array;
  predictions: Prediction[];
}

/** The number a decision is made on: the positive-class probability, the regression value, or the top class's probability. */
export function decisionScore(prediction: Prediction): number {
  if (prediction.probability !== undefined) return prediction.probability;
  if (prediction.value !== undefined) return prediction.value;
  const label = prediction.label === null ? undefined : prediction.probabilities[String(prediction.label)];
  return label ?? Math.max(...Object.values(prediction.probabilities), Number.NaN);
}

/** Runs a session and reads its outputs with the model service's own rules (main/models/predictions.ts). */
export async function scoreFeeds(model: OpenModel, feeds: Feeds, rows: number): Promise<BatchScores> {
  const results = await model.session.run(feeds);
  const predictions = toPredictions(model.info, results, rows);
  const scores = new Float64Array(rows);
  for (let i = 0; i < rows; i++) scores[i] = decisionScore(predictions[i]!);
  if (rows > 0 && Number.isNaN(scores[0]!)) {
    throw new AppError(
      'unsupported-model',
      `${model.info.file.fileName} has no probability or value output that ModelDock can compare.`,
    );
  }
  return { scores, predictions };
}
