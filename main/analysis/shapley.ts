/**
 * Interventional Shapley values of one number the model computes per row, for each model *input*
 * (a payload field: a one-hot encoded `lead_source` is one player, an [N,F] input is one player).
 *
 *   v(S) = mean over background rows b of f(x on the inputs in S, b on the others)
 *   φᵢ   = Σ over S ∌ i of |S|!(n−|S|−1)!/n! · (v(S ∪ {i}) − v(S))
 *   base = v(∅),  base + Σφᵢ = f(x)
 *
 * Exact for n ≤ maxExactInputs (every one of the 2ⁿ coalitions), otherwise estimated from antithetic
 * permutations. Pure and worker-safe: the model is reached only through `evaluate`, which the app
 * builds over its onnxruntime session (explain.ts) and the tests over plain functions.
 */
import type { FieldValue } from '../models/payload.ts';

/** Inputs with more than this many players are explained by permutation sampling: 2¹² = 4,096 coalitions. */
export const maxExactInputs = 12;
/** Default number of permutations (16 antithetic pairs) for sampled explanations. */
export const defaultPermutations = 32;
/** The seed of every random choice an explanation makes (background sampling, permutations). */
export const explainSeed = 15;
/** Rows per onnxruntime run: large enough to amortise a run, small enough to keep the columns in cache. */
export const defaultRowsPerRun = 32_768;

/** One row's values per input, as the payload rules coerce them (CoercedRow of main/models). */
export type PlayerRow = Record<string, readonly FieldValue[]>;

/** The model's number (probability, log-odds or value) for each of `rowCount` rows given as columns. */
export type RowEvaluator = (
  columns: Record<string, FieldValue[]>,
  rowCount: number,
) => Promise<ArrayLike<number>>;

export interface Player {
  name: string;
  /** Values per row (1, or F for an [N,F] input). */
  width: number;
}

export interface ShapleyOptions {
  /** Above this many players, sample permutations instead of enumerating coalitions. */
  maxExact?: number;
  /** Sampled method: how many permutations (rounded up to an even number: each comes with its reverse). */
  permutations?: number;
  seed?: number;
  rowsPerRun?: number;
  signal?: AbortSignal;
}

export interface ShapleyResult {
  /** f(x): the model's number for the explained row. */
  value: number;
  /** v(∅): the mean over the background. */
  baseValue: number;
  /** φ per player, in the order of `players`. */
  contributions: number[];
  /** Sampled method: the standard error of each φ (over antithetic pairs); zeros for exact. */
  standardErrors: number[];
  method: 'exact' | 'sampled';
  /** Sampled method: the permutations used (pairs × 2). */
  permutations?: number;
  seed?: number;
  /** baseValue + Σφ − value, as computed (rounding only, for both methods). */
  residual: number;
  /** Rows the model scored. */
  evaluatedRows: number;
}

/** mulberry32: a small, fast PRNG; the same seed gives the same explanation on every machine. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Columns for coalitions × background rows, coalition-major: row c·B + b holds the explained row's
 * values on the players in coalition c and background row b's values on the rest.
 */
export function coalitionColumns(
  players: readonly Player[],
  instance: PlayerRow,
  background: readonly PlayerRow[],
  coalitions: readonly Uint8Array[],
): Record<string, FieldValue[]> {
  const rows = background.length;
  const columns: Record<string, FieldValue[]> = {};
  players.forEach((player, p) => {
    const { width } = player;
    const own = instance[player.name]!;
    // The background's values of this player, row by row: read once, copied once per coalition.
    const theirs: FieldValue[] = [];
    for (const row of background) for (const value of row[player.name]!) theirs.push(value);
    const block = rows * width;
    const out: FieldValue[] = new Array(coalitions.length * block);
    coalitions.forEach((coalition, c) => {
      const start = c * block;
      if (coalition[p] !== 1) {
        for (let k = 0; k < block; k++) out[start + k] = theirs[k]!;
      } else if (width === 1) {
        out.fill(own[0]!, start, start + block);
      } else {
        for (let k = 0; k < block; k++) out[start + k] = own[k % width]!;
      }
    });
    columns[player.name] = out;
  });
  return columns;
}

/** v(S) for each coalition: the mean model output over the background, evaluated in runs of ≈ rowsPerRun rows. */
async function coalitionValues(
  players: readonly Player[],
  instance: PlayerRow,
  background: readonly PlayerRow[],
  coalitions: readonly Uint8Array[],
  evaluate: RowEvaluator,
  rowsPerRun: number,
  signal?: AbortSignal,
): Promise<Float64Array> {
  const rows = background.length;
  const values = new Float64Array(coalitions.length);
  const perRun = Math.max(1, Math.floor(rowsPerRun / rows));
  for (let start = 0; start < coalitions.length; start += perRun) {
    signal?.throwIfAborted();
    const chunk = coalitions.slice(start, start + perRun);
    const outputs = await evaluate(
      coalitionColumns(players, instance, background, chunk),
      chunk.length * rows,
    );
    for (let c = 0; c < chunk.length; c++) {
      let sum = 0;
      for (let b = 0; b < rows; b++) sum += outputs[c * rows + b]!;
      values[start + c] = sum / rows;
    }
  }
  return values;
}

/** |S|!(n−|S|−1)!/n! for |S| = 0 … n−1, computed as 1 / (n · C(n−1, |S|)) to stay exact in doubles. */
export function shapleyWeights(n: number): Float64Array {
  const weights = new Float64Array(n);
  let binomial = 1; // C(n−1, s)
  for (let s = 0; s < n; s++) {
    weights[s] = 1 / (n * binomial);
    binomial = (binomial * (n - 1 - s)) / (s + 1);
  }
  return weights;
}

function popcount(mask: number): number {
  let count = 0;
  for (let m = mask; m !== 0; m &= m - 1) count++;
  return count;
}

/**
 * Shapley values of `evaluate` at `instance` against `background`. The explained row's own output
 * f(x) is evaluated once (the full coalition needs no background), v(∅) over the whole background.
 */
export async function shapleyValues(
  players: readonly Player[],
  instance: PlayerRow,
  background: readonly PlayerRow[],
  evaluate: RowEvaluator,
  options: ShapleyOptions = {},
): Promise<ShapleyResult> {
  if (background.length === 0) throw new Error('Shapley values need at least one background row.');
  const n = players.length;
  const rowsPerRun = options.rowsPerRun ?? defaultRowsPerRun;
  const value = Number((await evaluate(coalitionColumns(players, instance, [instance], [full(n)]), 1))[0]);
  if (n <= (options.maxExact ?? maxExactInputs)) {
    return exactShapley(players, instance, background, evaluate, value, rowsPerRun, options.signal);
  }
  return sampledShapley(players, instance, background, evaluate, value, rowsPerRun, options);
}

function full(n: number): Uint8Array {
  return new Uint8Array(n).fill(1);
}

async function exactShapley(
  players: readonly Player[],
  instance: PlayerRow,
  background: readonly PlayerRow[],
  evaluate: RowEvaluator,
  value: number,
  rowsPerRun: number,
  signal?: AbortSignal,
): Promise<ShapleyResult> {
  const n = players.length;
  const size = 2 ** n;
  // Every coalition but the full one (whose value is f(x)); bit p of the mask = player p from x.
  const coalitions: Uint8Array[] = [];
  for (let mask = 0; mask < size - 1; mask++) {
    const coalition = new Uint8Array(n);
    for (let p = 0; p < n; p++) coalition[p] = (mask >> p) & 1;
    coalitions.push(coalition);
  }
  const v = new Float64Array(size);
  v.set(await coalitionValues(players, instance, background, coalitions, evaluate, rowsPerRun, signal));
  v[size - 1] = meanOfCopies(value, background.length);
  const weights = shapleyWeights(n);
  const contributions = new Array<number>(n).fill(0);
  for (let p = 0; p < n; p++) {
    const bit = 1 << p;
    let phi = 0;
    for (let mask = 0; mask < size; mask++) {
      if (mask & bit) continue;
      phi += weights[popcount(mask)]! * (v[mask | bit]! - v[mask]!);
    }
    contributions[p] = phi;
  }
  const baseValue = v[0]!;
  return {
    value,
    baseValue,
    contributions,
    standardErrors: new Array<number>(n).fill(0),
    method: 'exact',
    residual: residualOf(baseValue, contributions, value),
    evaluatedRows: 1 + coalitions.length * background.length,
  };
}

/**
 * v(N): every row is x itself, so the model need not run; the mean is taken as coalitionValues takes
 * it (the sum of |background| copies over |background|), which rounds exactly as v(N ∖ {i}) does for an
 * input i the model ignores: such an input gets exactly 0, and the rounding shows in the residual.
 */
function meanOfCopies(value: number, rows: number): number {
  let sum = 0;
  for (let b = 0; b < rows; b++) sum += value;
  return sum / rows;
}

function residualOf(baseValue: number, contributions: readonly number[], value: number): number {
  let sum = baseValue;
  for (const phi of contributions) sum += phi;
  return sum - value;
}

/** A uniformly random permutation of 0 … n−1 (Fisher–Yates). */
function shuffled(n: number, random: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}

/**
 * Permutation sampling with antithetic pairs: each random order π is used with its reverse, whose
 * marginal contributions are negatively correlated with π's (Mitchell et al. 2022, "Sampling
 * permutations for Shapley value estimation"). v(S) is the mean over the whole background, so each
 * permutation's contributions telescope to f(x) − v(∅) and the average is additive up to rounding.
 * That rounding gap is then removed with the variance-weighted additivity adjustment of the sampling
 * literature (Williamson & Feng 2020; Covert & Lee 2021, as SHAP's KernelExplainer also does):
 * φᵢ += σᵢ² / Σσ² · (f(x) − v(∅) − Σφ) (in proportion to |φᵢ| when every σ is zero).
 */
async function sampledShapley(
  players: readonly Player[],
  instance: PlayerRow,
  background: readonly PlayerRow[],
  evaluate: RowEvaluator,
  value: number,
  rowsPerRun: number,
  options: ShapleyOptions,
): Promise<ShapleyResult> {
  const n = players.length;
  const seed = options.seed ?? explainSeed;
  const pairs = Math.max(2, Math.ceil((options.permutations ?? defaultPermutations) / 2));
  const random = seededRandom(seed);
  const orders: number[][] = [];
  for (let k = 0; k < pairs; k++) {
    const order = shuffled(n, random);
    orders.push(order, [...order].reverse());
  }
  // Coalitions: v(∅), then for each order its prefixes of length 1 … n−1 (the full one is f(x)).
  const coalitions: Uint8Array[] = [new Uint8Array(n)];
  for (const order of orders) {
    const coalition = new Uint8Array(n);
    for (let k = 0; k < n - 1; k++) {
      coalition[order[k]!] = 1;
      coalitions.push(coalition.slice());
    }
  }
  const v = await coalitionValues(
    players,
    instance,
    background,
    coalitions,
    evaluate,
    rowsPerRun,
    options.signal,
  );
  const baseValue = v[0]!;
  const full = meanOfCopies(value, background.length);
  // Marginal contributions per order, then the mean of each antithetic pair: the pairs are independent.
  const pairMeans: Float64Array[] = [];
  for (let k = 0; k < orders.length; k += 2) {
    const pair = new Float64Array(n);
    for (const o of [k, k + 1]) {
      const order = orders[o]!;
      let previous = baseValue;
      for (let step = 0; step < n; step++) {
        const current = step === n - 1 ? full : v[1 + o * (n - 1) + step]!;
        pair[order[step]!]! += (current - previous) / 2;
        previous = current;
      }
    }
    pairMeans.push(pair);
  }
  const contributions = new Array<number>(n).fill(0);
  const variances = new Array<number>(n).fill(0);
  for (let p = 0; p < n; p++) {
    let sum = 0;
    for (const pair of pairMeans) sum += pair[p]!;
    const mean = sum / pairs;
    let squares = 0;
    for (const pair of pairMeans) squares += (pair[p]! - mean) ** 2;
    contributions[p] = mean;
    variances[p] = squares / (pairs - 1) / pairs; // variance of the mean
  }
  const gap = -residualOf(baseValue, contributions, value);
  // Every pair agreeing (σ = 0 throughout) happens for additive models: then by size instead, so an
  // input the model ignores still gets exactly 0. With every φ zero too (the row and the background
  // agree), the gap is the mean's rounding alone: it stays in the residual, as on the exact path.
  const weights = variances.some((variance) => variance > 0) ? variances : contributions.map(Math.abs);
  const total = weights.reduce((a, b) => a + b, 0);
  if (total > 0) for (let p = 0; p < n; p++) contributions[p]! += (gap * weights[p]!) / total;
  return {
    value,
    baseValue,
    contributions,
    standardErrors: variances.map(Math.sqrt),
    method: 'sampled',
    permutations: orders.length,
    seed,
    residual: residualOf(baseValue, contributions, value),
    evaluatedRows: 1 + coalitions.length * background.length,
  };
}
