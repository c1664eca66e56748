import type { CompareCsvResult, Compatibility, ModelInfo, ModelInput } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { needsOneRowPerRun } from '../models/tensors.ts';
import {
  type BatchScores,
  buildFeeds,
  convertRows,
  type FillValues,
  inputColumnNames,
  type OpenModel,
  scoreFeeds,
} from './batch-scoring.ts';
import { matchColumns, readAhead, readCsvBatches } from './csv-batches.ts';

export const SCATTER_LIMIT = 2000;
export const FLIPPED_ROWS_LIMIT = 100;
const ERROR_LIMIT = 100;

function kindName(input: ModelInput): string {
  return input.width > 1 ? `${input.kind} [${input.width} values]` : input.kind;
}

/** Two models can be compared when they read the same inputs with the same kinds; says exactly what differs. */
export function checkCompatibility(a: ModelInfo, b: ModelInfo): Compatibility {
  const differences: string[] = [];
  const nameA = a.file.fileName;
  const nameB = b.file.fileName;
  const inputsB = new Map(b.inputs.map((input) => [input.name, input]));
  for (const inputA of a.inputs) {
    const inputB = inputsB.get(inputA.name);
    if (!inputB) differences.push(`${inputA.name} is an input of A (${nameA}) but not of B (${nameB}).`);
    else if (kindName(inputA) !== kindName(inputB)) {
      differences.push(`${inputA.name} is ${kindName(inputA)} in A but ${kindName(inputB)} in B.`);
    }
  }
  const namesA = new Set(a.inputs.map((input) => input.name));
  for (const inputB of b.inputs) {
    if (!namesA.has(inputB.name))
      differences.push(`${inputB.name} is an input of B (${nameB}) but not of A (${nameA}).`);
  }
  const taskA = a.task;
  const taskB = b.task;
  if (taskA !== taskB) differences.push(`A is a ${taskA} model but B is a ${taskB} model.`);
  return { compatible: differences.length === 0, differences };
}

export function assertCompatible(a: ModelInfo, b: ModelInfo): void {
  const compatibility = checkCompatibility(a, b);
  if (!compatibility.compatible) {
    throw new AppError(
      'bad-request',
      `These models cannot be compared: ${compatibility.differences.join(' ')}`,
      compatibility,
    );
  }
}

/** Running figures of a comparison, filled batch by batch. */
export class CompareAccumulator {
  compared = 0;
  agreements = 0;
  sumAbsDelta = 0;
  maxAbsDelta = 0;
  flipsAToB = 0;
  flipsBToA = 0;
  readonly flippedRows: CompareCsvResult['flippedRows'] = [];
  /** Reservoir-free even sampling: every stride-th row, the stride doubling whenever the sample fills up. */
  private scatter: Array<[number, number]> = [];
  private stride = 1;

  constructor(readonly threshold: number) {}

  add(rowNumbers: readonly number[], a: BatchScores, b: BatchScores): void {
    for (let i = 0; i < rowNumbers.length; i++) {
      const pa = a.scores[i]!;
      const pb = b.scores[i]!;
      const predictionA = a.predictions[i]!;
      const predictionB = b.predictions[i]!;
      let delta = Math.abs(pa - pb);
      // Multiclass: the largest difference over every class probability.
      if (predictionA.probability === undefined) {
        for (const [label, p] of Object.entries(predictionA.probabilities)) {
          const other = predictionB.probabilities[label];
          if (other !== undefined) delta = Math.max(delta, Math.abs(p - other));
        }
      }
      this.sumAbsDelta += delta;
      if (delta > this.maxAbsDelta) this.maxAbsDelta = delta;
      if (String(predictionA.label) === String(predictionB.label)) this.agreements++;
      const decisionA = pa >= this.threshold;
      const decisionB = pb >= this.threshold;
      if (decisionA !== decisionB) {
        if (decisionA) this.flipsAToB++;
        else this.flipsBToA++;
        if (this.flippedRows.length < FLIPPED_ROWS_LIMIT)
          this.flippedRows.push({ row: rowNumbers[i]!, a: pa, b: pb });
      }
      if (this.compared % this.stride === 0) {
        this.scatter.push([pa, pb]);
        if (this.scatter.length >= SCATTER_LIMIT) {
          this.scatter = this.scatter.filter((_, index) => index % 2 === 0);
          this.stride *= 2;
        }
      }
      this.compared++;
    }
  }

  scatterPoints(): Array<[number, number]> {
    return this.scatter.slice(0, SCATTER_LIMIT);
  }
}

export interface CompareCsvOptions {
  threshold?: number;
  fill?: FillValues;
  batchSize?: number;
  signal?: AbortSignal;
  onProgress?: (rowsDone: number) => void;
}

/**
 * The same CSV through both models: parsed and converted once, each batch's tensors shared by both sessions
 * where the input types agree, the figures accumulated as it goes (memory stays flat with file size).
 */
export async function compareCsv(
  a: OpenModel,
  b: OpenModel,
  csvPath: string,
  options: CompareCsvOptions = {},
): Promise<CompareCsvResult> {
  assertCompatible(a.info, b.info);
  const started = performance.now();
  const threshold = options.threshold ?? 0.5;
  const accumulator = new CompareAccumulator(threshold);
  const errors: CompareCsvResult['errors'] = [];
  let failed = 0;
  let rows = 0;
  let columnIndex: Map<string, number> | undefined;
  const wanted = a.info.inputs.flatMap(inputColumnNames);
  const batchSize = needsOneRowPerRun([...a.info.inputs, ...b.info.inputs]) ? 1 : options.batchSize;
  for await (const batch of readAhead(readCsvBatches(csvPath, { batchSize, signal: options.signal }))) {
    columnIndex ??= matchColumns(batch.header, wanted);
    rows += batch.rows.length;
    const converted = convertRows(
      a.info.inputs,
      columnIndex,
      batch.rows,
      batch.firstRow,
      options.fill,
      batch.header.length,
    );
    failed += converted.errors.length;
    for (const error of converted.errors) if (errors.length < ERROR_LIMIT) errors.push(error);
    const count = converted.rowNumbers.length;
    if (count > 0) {
      const feedsA = buildFeeds(a.info.inputs, converted);
      const feedsB = buildFeeds(b.info.inputs, converted, { inputs: a.info.inputs, feeds: feedsA });
      const [scoresA, scoresB] = await Promise.all([
        scoreFeeds(a, feedsA, count),
        scoreFeeds(b, feedsB, count),
      ]);
      accumulator.add(converted.rowNumbers, scoresA, scoresB);
    }
    options.onProgress?.(rows);
  }
  if (!columnIndex) matchColumnsOfEmpty(csvPath);
  const compared = accumulator.compared;
  return {
    rows,
    compared,
    failed,
    errors,
    threshold,
    labelAgreement: compared === 0 ? 0 : accumulator.agreements / compared,
    meanAbsDelta: compared === 0 ? 0 : accumulator.sumAbsDelta / compared,
    maxAbsDelta: accumulator.maxAbsDelta,
    scatter: accumulator.scatterPoints(),
    flips: {
      count: accumulator.flipsAToB + accumulator.flipsBToA,
      aToB: accumulator.flipsAToB,
      bToA: accumulator.flipsBToA,
    },
    flippedRows: accumulator.flippedRows,
    seconds: (performance.now() - started) / 1000,
  };
}

function matchColumnsOfEmpty(csvPath: string): never {
  throw new AppError('invalid-csv', `The CSV file ${csvPath} has a header but no data rows to compare.`);
}
