import type { CompareCsvResult, Compatibility, ModelInfo, ModelInput } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import type { BatchPredictions, ClassLabel } from '../scoring/types.ts';

export const SCATTER_LIMIT = 2000;
export const FLIPPED_ROWS_LIMIT = 100;

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

/** The two models' decision scores and what else a comparison reads of a batch. */
export interface ComparedRows {
  size: number;
  lines: readonly number[];
  a: BatchPredictions;
  b: BatchPredictions;
  scoreA(row: number): number;
  scoreB(row: number): number;
}

/** What one worker saw (plain data), merged in file order by mergeCompare. */
export interface CompareState {
  compared: number;
  agreements: number;
  sumAbsDelta: number;
  maxAbsDelta: number;
  flipsAToB: number;
  flipsBToA: number;
  flippedRows: CompareCsvResult['flippedRows'];
  /** Every row's p(A), p(B) pair: the scatter sample is taken from the whole file when merged. */
  scatterA: Float64Array<ArrayBufferLike>;
  scatterB: Float64Array<ArrayBufferLike>;
  scatterStride: number;
}

/**
 * Running figures of a comparison, filled batch by batch. Row numbers are the rows' line numbers in
 * the file, as in Batch's errors file.
 */
export class CompareAccumulator {
  compared = 0;
  agreements = 0;
  sumAbsDelta = 0;
  maxAbsDelta = 0;
  flipsAToB = 0;
  flipsBToA = 0;
  flippedRows: CompareCsvResult['flippedRows'] = [];
  /** Reservoir-free even sampling: every stride-th row, the stride doubling whenever the sample fills up. */
  private scatter: Array<[number, number]> = [];
  private stride = 1;
  /** For each of A's classes, B's index of the same class (multiclass |Δp|). */
  private readonly classMap: number[];

  constructor(
    readonly threshold: number,
    classesA: readonly ClassLabel[] = [],
    classesB: readonly ClassLabel[] = [],
  ) {
    const keysB = classesB.map(String);
    this.classMap = classesA.map((label) => keysB.indexOf(String(label)));
  }

  add(rows: ComparedRows): void {
    for (let i = 0; i < rows.size; i++) {
      const pa = rows.scoreA(i);
      const pb = rows.scoreB(i);
      let delta = Math.abs(pa - pb);
      // Multiclass: the largest difference over every class probability.
      if (rows.a.probability(i) === undefined) {
        for (let k = 0; k < this.classMap.length; k++) {
          const p = rows.a.classProbability(i, k);
          const other = rows.b.classProbability(i, this.classMap[k] ?? -1);
          if (p !== undefined && other !== undefined) delta = Math.max(delta, Math.abs(p - other));
        }
      }
      this.sumAbsDelta += delta;
      if (delta > this.maxAbsDelta) this.maxAbsDelta = delta;
      if (String(rows.a.label(i)) === String(rows.b.label(i))) this.agreements++;
      const decisionA = pa >= this.threshold;
      const decisionB = pb >= this.threshold;
      if (decisionA !== decisionB) {
        if (decisionA) this.flipsAToB++;
        else this.flipsBToA++;
        if (this.flippedRows.length < FLIPPED_ROWS_LIMIT)
          this.flippedRows.push({ row: rows.lines[i] ?? 0, a: pa, b: pb });
      }
      this.addScatter(pa, pb);
      this.compared++;
    }
  }

  private addScatter(pa: number, pb: number): void {
    if (this.compared % this.stride === 0) {
      this.scatter.push([pa, pb]);
      if (this.scatter.length >= SCATTER_LIMIT) {
        this.scatter = this.scatter.filter((_, index) => index % 2 === 0);
        this.stride *= 2;
      }
    }
  }

  state(): CompareState {
    return {
      compared: this.compared,
      agreements: this.agreements,
      sumAbsDelta: this.sumAbsDelta,
      maxAbsDelta: this.maxAbsDelta,
      flipsAToB: this.flipsAToB,
      flipsBToA: this.flipsBToA,
      flippedRows: this.flippedRows,
      scatterA: Float64Array.from(this.scatter, ([a]) => a),
      scatterB: Float64Array.from(this.scatter, ([, b]) => b),
      scatterStride: this.stride,
    };
  }

  scatterPoints(): Array<[number, number]> {
    return this.scatter.slice(0, SCATTER_LIMIT);
  }
}

/**
 * The parts' figures as one comparison of the whole file. The scatter keeps each part's even sample
 * thinned to the coarsest stride, so it stays an even sample of the whole file.
 */
export function mergeCompare(states: readonly CompareState[], threshold: number): CompareFigures {
  const stride = Math.max(1, ...states.map((state) => state.scatterStride));
  const scatter: Array<[number, number]> = [];
  let compared = 0;
  const merged = {
    agreements: 0,
    sumAbsDelta: 0,
    maxAbsDelta: 0,
    flipsAToB: 0,
    flipsBToA: 0,
    flippedRows: [] as CompareCsvResult['flippedRows'],
  };
  for (const state of states) {
    const keep = stride / state.scatterStride;
    for (let i = 0; i < state.scatterA.length; i += keep)
      scatter.push([state.scatterA[i] ?? 0, state.scatterB[i] ?? 0]);
    compared += state.compared;
    merged.agreements += state.agreements;
    merged.sumAbsDelta += state.sumAbsDelta;
    merged.maxAbsDelta = Math.max(merged.maxAbsDelta, state.maxAbsDelta);
    merged.flipsAToB += state.flipsAToB;
    merged.flipsBToA += state.flipsBToA;
    for (const flip of state.flippedRows)
      if (merged.flippedRows.length < FLIPPED_ROWS_LIMIT) merged.flippedRows.push(flip);
  }
  return {
    compared,
    threshold,
    labelAgreement: compared === 0 ? 0 : merged.agreements / compared,
    meanAbsDelta: compared === 0 ? 0 : merged.sumAbsDelta / compared,
    maxAbsDelta: merged.maxAbsDelta,
    scatter: scatter.slice(0, SCATTER_LIMIT),
    flips: { count: merged.flipsAToB + merged.flipsBToA, aToB: merged.flipsAToB, bToA: merged.flipsBToA },
    flippedRows: merged.flippedRows,
  };
}

/** The comparison's own figures; the run adds rows, failures, unseen categories and time. */
export type CompareFigures = Pick<
  CompareCsvResult,
  | 'compared'
  | 'threshold'
  | 'labelAgreement'
  | 'meanAbsDelta'
  | 'maxAbsDelta'
  | 'scatter'
  | 'flips'
  | 'flippedRows'
  | 'decisions'
>;
