/**
 * Explanations over a batch run (`modeldock score --explain`): each row's top drivers as added columns,
 * the run's global importance (mean |φ| per input, mean φ per input by score decile), and what the
 * option costs, said before the run. Pure and worker-safe.
 */
import type { ModelInfo } from '../../shared/contract/index.ts';
import type { CoercedRow, FieldValue } from '../models/payload.ts';
import type { OutputKind } from '../scoring/output-targets.ts';
import type { BatchPredictions, BatchPredictor, InputColumns } from '../scoring/types.ts';
import {
  defaultPermutations,
  maxExactInputs,
  type Player,
  type ShapleyOptions,
  shapleyValues,
} from './shapley.ts';

/** How many drivers each scored row gets as columns. */
export const driverCount = 3;

/** driver_1, driver_1_contribution, … driver_3_contribution. */
export function driverColumns(count = driverCount): string[] {
  const columns: string[] = [];
  for (let k = 1; k <= count; k++) columns.push(`driver_${k}`, `driver_${k}_contribution`);
  return columns;
}

/**
 * The cells of a row's driver columns: the inputs with the largest |φ|, largest first (ties in input
 * order); inputs that contribute exactly 0 are not drivers, and their cells stay empty.
 */
export function driverCells(
  names: readonly string[],
  contributions: ArrayLike<number>,
  count = driverCount,
): string[] {
  const order = names
    .map((_, i) => i)
    .filter((i) => contributions[i] !== 0)
    .sort((a, b) => Math.abs(contributions[b]!) - Math.abs(contributions[a]!) || a - b)
    .slice(0, count);
  const cells: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = order[k];
    cells.push(i === undefined ? '' : names[i]!, i === undefined ? '' : String(contributions[i]));
  }
  return cells;
}

/** Rows the model scores to explain `rows` rows: the cost said before a run with --explain. */
export function explainCost(
  inputCount: number,
  backgroundRows: number,
  rows: number,
  permutations = defaultPermutations,
): { modelRowsPerRow: number; modelRows: number; method: 'exact' | 'sampled' } {
  const exact = inputCount <= maxExactInputs;
  const coalitions = exact ? 2 ** inputCount - 1 : 1 + permutations * (inputCount - 1);
  const modelRowsPerRow = 1 + coalitions * backgroundRows;
  return { modelRowsPerRow, modelRows: modelRowsPerRow * rows, method: exact ? 'exact' : 'sampled' };
}

/** The run's explanations kept for global importance: each row's score and contributions. */
export interface ImportanceState {
  inputs: string[];
  scores: number[];
  /** Row-major: contributions[r * inputs.length + i]. */
  contributions: number[];
}

export interface GlobalImportance {
  inputs: string[];
  /** Mean |φ| per input, over every explained row. */
  meanAbsolute: number[];
  /**
   * Mean φ per input in each score decile (1 = lowest scores … 10 = highest): deciles of the explained
   * rows' scores, rows sorted by score and cut into ten groups as equal as possible.
   */
  byDecile: Array<{
    decile: number;
    rows: number;
    minScore: number;
    maxScore: number;
    meanContribution: number[];
  }>;
  rows: number;
}

export class ImportanceAccumulator {
  private readonly state: ImportanceState;

  constructor(inputs: readonly string[]) {
    this.state = { inputs: [...inputs], scores: [], contributions: [] };
  }

  add(score: number, contributions: ArrayLike<number>): void {
    this.state.scores.push(score);
    for (let i = 0; i < this.state.inputs.length; i++) this.state.contributions.push(contributions[i]!);
  }

  finish(): ImportanceState {
    return this.state;
  }
}

/** Global importance from the workers' states (in file order). */
export function globalImportance(states: readonly ImportanceState[]): GlobalImportance | undefined {
  const inputs = states[0]?.inputs;
  if (!inputs) return undefined;
  const n = inputs.length;
  const scores = states.flatMap((state) => state.scores);
  const contributions = states.flatMap((state) => state.contributions);
  const rows = scores.length;
  if (rows === 0) return undefined;
  const meanAbsolute = inputs.map((_, i) => {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += Math.abs(contributions[r * n + i]!);
    return sum / rows;
  });
  const order = scores.map((_, r) => r).sort((a, b) => scores[a]! - scores[b]! || a - b);
  const byDecile: GlobalImportance['byDecile'] = [];
  for (let d = 0; d < 10; d++) {
    const members = order.slice(Math.floor((d * rows) / 10), Math.floor(((d + 1) * rows) / 10));
    if (members.length === 0) continue;
    const meanContribution = inputs.map((_, i) => {
      let sum = 0;
      for (const r of members) sum += contributions[r * n + i]!;
      return sum / members.length;
    });
    byDecile.push({
      decile: d + 1,
      rows: members.length,
      minScore: scores[members[0]!]!,
      maxScore: scores[members[members.length - 1]!]!,
      meanContribution,
    });
  }
  return { inputs: [...inputs], meanAbsolute, byDecile, rows };
}

/**
 * Explains the rows of a scored batch, one after another, with the batch engine's own predictor: the
 * number explained is the one the run reports for the row (the positive class's probability, the
 * predicted class's probability for multiclass, the value for a regressor). `inputs` are in the order
 * of the batch's columns (the mapping's).
 */
export function createBatchExplainer(options: {
  inputs: readonly Player[];
  model: Pick<ModelInfo, 'task' | 'classLabels' | 'positiveClass'>;
  background: readonly CoercedRow[];
  predict: BatchPredictor;
  shapley?: Pick<ShapleyOptions, 'permutations' | 'seed' | 'rowsPerRun' | 'signal'>;
}): (columns: InputColumns, size: number, predictions: BatchPredictions) => Promise<Float64Array[]> {
  const { inputs, model, background, predict } = options;
  const classes = model.classLabels ?? [];
  const classIndex = (label: unknown) =>
    classes.findIndex((candidate) => String(candidate) === String(label));
  return async (columns, size, predictions) => {
    const out: Float64Array[] = [];
    for (let row = 0; row < size; row++) {
      const instance: CoercedRow = {};
      inputs.forEach((input, k) => {
        instance[input.name] = columns[k]!.slice(row * input.width, (row + 1) * input.width) as FieldValue[];
      });
      // The row's own class decides what is explained for multiclass models, as the run's score does.
      const k = model.task === 'multiclass-classification' ? classIndex(predictions.label(row)) : -1;
      const read = (p: BatchPredictions, r: number) =>
        k >= 0 ? p.classProbability(r, k) : (p.probability(r) ?? p.value(r) ?? p.classProbability(r, 0));
      const evaluate = async (named: Record<string, FieldValue[]>, count: number) => {
        const answer = await predict(
          inputs.map((input) => named[input.name]!),
          count,
        );
        const values = new Float64Array(count);
        for (let r = 0; r < count; r++) values[r] = Number(read(answer, r));
        return values;
      };
      const result = await shapleyValues(inputs, instance, background, evaluate, options.shapley);
      out.push(Float64Array.from(result.contributions));
    }
    return out;
  };
}

/** Options of the explanation output: the inputs in the mapping's order. */
export interface ExplainOutputOptions {
  inputs: string[];
}

/**
 * Global importance as an output of the batch engine's pass: every explained row's score and
 * contributions (ScoredBatch.contributions), merged across workers in file order.
 */
export const explainOutput: OutputKind<ExplainOutputOptions, ImportanceState, GlobalImportance | undefined> =
  {
    create(options) {
      const accumulator = new ImportanceAccumulator(options.inputs);
      return {
        scored(batch) {
          const contributions = batch.contributions;
          if (!contributions) return;
          for (let row = 0; row < batch.size; row++) accumulator.add(batch.score(row), contributions[row]!);
        },
        finish: () => accumulator.finish(),
      };
    },
    merge: (states) => globalImportance(states),
  };
