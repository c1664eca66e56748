import type { Delong } from '../../shared/contract/index.ts';
import { checkScoresAndLabels } from './labelled-scores.ts';
import { twoSidedPValue, Z_975 } from './normal-distribution.ts';

/**
 * DeLong's test for two correlated ROC AUCs (two models scored on the same rows), with the fast
 * algorithm of Sun & Xu (2014, IEEE Signal Processing Letters 21(11)): the structural components come
 * from midranks, O(n log n), instead of DeLong's pairwise placement matrix, O(m·n).
 *
 * For model r with label-1 scores X (m rows) and label-0 scores Y (n rows), with Tx, Ty and Tz the
 * midranks of X within X, of Y within Y and of each within X ∪ Y (Tz by merging the sorted X and Y):
 *   V10_i = (Tz_i − Tx_i) / n      (the share of label-0 rows X_i beats, ties half)
 *   V01_j = 1 − (Tz_j − Ty_j) / m  (the share of label-1 rows beating Y_j, ties half)
 *   AUC_r = mean(V10) and Var(AUC_B − AUC_A) = c'(S10/m + S01/n)c with c = (−1, 1), where S10 and S01
 *   are the 2×2 sample covariances (divisor m − 1 and n − 1) of the components across the two models.
 * Null when either label has fewer than two rows: the covariances are not defined.
 */
export function delongTest(
  scoresA: ArrayLike<number>,
  scoresB: ArrayLike<number>,
  labels: ArrayLike<number>,
): Delong | null {
  checkScoresAndLabels(scoresA, labels);
  checkScoresAndLabels(scoresB, labels);
  let m = 0;
  for (let i = 0; i < labels.length; i++) m += labels[i] as number;
  const n = labels.length - m;
  if (m < 2 || n < 2) return null;

  const a = structuralComponents(scoresA, labels, m, n);
  const b = structuralComponents(scoresB, labels, m, n);
  const aucA = mean(a.v10);
  const aucB = mean(b.v10);
  const s10 = covariance2(a.v10, b.v10);
  const s01 = covariance2(a.v01, b.v01);
  const variance = Math.max(0, (s10.aa + s10.bb - 2 * s10.ab) / m + (s01.aa + s01.bb - 2 * s01.ab) / n);
  const standardError = Math.sqrt(variance);
  const aucDifference = aucB - aucA;
  let z: number | null;
  let pValue: number;
  if (standardError > 0) {
    z = aucDifference / standardError;
    pValue = twoSidedPValue(z);
  } else {
    // No spread in the paired difference: both models order every (label-1, label-0) pair alike.
    z = null;
    pValue = aucDifference === 0 ? 1 : 0;
  }
  return {
    aucA,
    aucB,
    aucDifference,
    standardError,
    ci95: [aucDifference - Z_975 * standardError, aucDifference + Z_975 * standardError],
    z,
    pValue,
    positives: m,
    negatives: n,
  };
}

function structuralComponents(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  m: number,
  n: number,
): { v10: Float64Array; v01: Float64Array } {
  const x = new Float64Array(m);
  const y = new Float64Array(n);
  let p = 0;
  let q = 0;
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] === 1) x[p++] = (scores[i] as number) + 0;
    else y[q++] = (scores[i] as number) + 0;
  }
  const orderX = ascendingOrder(x);
  const orderY = ascendingOrder(y);
  const tx = midranksInOrder(x, orderX);
  const ty = midranksInOrder(y, orderY);
  // Tz: midranks within X ∪ Y, from merging the two sorted orders (no third sort).
  const tzX = new Float64Array(m);
  const tzY = new Float64Array(n);
  let i = 0;
  let j = 0;
  let ranked = 0;
  while (i < m || j < n) {
    const value = Math.min(
      i < m ? (x[orderX[i] as number] as number) : Number.POSITIVE_INFINITY,
      j < n ? (y[orderY[j] as number] as number) : Number.POSITIVE_INFINITY,
    );
    let endX = i;
    while (endX < m && x[orderX[endX] as number] === value) endX++;
    let endY = j;
    while (endY < n && y[orderY[endY] as number] === value) endY++;
    const tied = endX - i + (endY - j);
    const midrank = ranked + (tied + 1) / 2;
    for (; i < endX; i++) tzX[orderX[i] as number] = midrank;
    for (; j < endY; j++) tzY[orderY[j] as number] = midrank;
    ranked += tied;
  }
  const v10 = new Float64Array(m);
  const v01 = new Float64Array(n);
  for (let k = 0; k < m; k++) v10[k] = ((tzX[k] as number) - (tx[k] as number)) / n;
  for (let k = 0; k < n; k++) v01[k] = 1 - ((tzY[k] as number) - (ty[k] as number)) / m;
  return { v10, v01 };
}

/**
 * 1-based ranks in ascending order, tied values sharing the mean of their ranks, in the input's order.
 */
export function midranks(values: ArrayLike<number>): Float64Array {
  const copy = new Float64Array(values.length);
  for (let i = 0; i < copy.length; i++) copy[i] = (values[i] as number) + 0;
  return midranksInOrder(copy, ascendingOrder(copy));
}

function ascendingOrder(values: Float64Array): Uint32Array {
  const order = new Uint32Array(values.length);
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order.sort((a, b) => (values[a] as number) - (values[b] as number));
}

function midranksInOrder(values: Float64Array, order: Uint32Array): Float64Array {
  const ranks = new Float64Array(values.length);
  let start = 0;
  while (start < order.length) {
    const value = values[order[start] as number];
    let end = start + 1;
    while (end < order.length && values[order[end] as number] === value) end++;
    const midrank = (start + 1 + end) / 2; // mean of ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k] as number] = midrank;
    start = end;
  }
  return ranks;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/** The sample covariance matrix (divisor length − 1) of two paired series. */
function covariance2(a: Float64Array, b: Float64Array): { aa: number; bb: number; ab: number } {
  const meanA = mean(a);
  const meanB = mean(b);
  let aa = 0;
  let bb = 0;
  let ab = 0;
  for (let i = 0; i < a.length; i++) {
    const da = (a[i] as number) - meanA;
    const db = (b[i] as number) - meanB;
    aa += da * da;
    bb += db * db;
    ab += da * db;
  }
  const divisor = a.length - 1;
  return { aa: aa / divisor, bb: bb / divisor, ab: ab / divisor };
}

/**
 * The result in one plain sentence, naming the better model first, e.g. "v2's AUC is 0.128 higher than
 * v1's, 95 % CI 0.09–0.17, p < 0.001: the difference is real." Real means p < 0.05 (the interval leaves
 * out 0).
 */
export function describeDelong(result: Delong, nameA: string, nameB: string): string {
  const { aucDifference, ci95, pValue } = result;
  if (result.standardError === 0 && aucDifference === 0) {
    return `${nameA} and ${nameB} put every converted/unconverted pair in the same order (AUC ${result.aucA.toFixed(3)} each): there is no difference to test.`;
  }
  const bBetter = aucDifference >= 0;
  const [better, worse] = bBetter ? [nameB, nameA] : [nameA, nameB];
  const difference = Math.abs(aucDifference);
  const [low, high] = bBetter ? ci95 : [-ci95[1], -ci95[0]];
  const width = high - low;
  const decimals = width >= 0.05 ? 2 : width >= 0.005 ? 3 : 4;
  const interval =
    low < 0
      ? `${signed(low, decimals)} to ${signed(high, decimals)}`
      : `${low.toFixed(decimals)}–${high.toFixed(decimals)}`;
  const p = pValue < 0.001 ? 'p < 0.001' : `p = ${pValue >= 0.1 ? pValue.toFixed(2) : pValue.toFixed(3)}`;
  const verdict = pValue < 0.05 ? 'the difference is real' : 'the difference could be chance';
  const shown = difference < 0.0005 ? difference.toPrecision(2) : difference.toFixed(3);
  return `${better}'s AUC is ${shown} higher than ${worse}'s, 95 % CI ${interval}, ${p}: ${verdict}.`;
}

/** A number with a real minus sign (U+2212) when negative. */
function signed(value: number, decimals: number): string {
  const text = Math.abs(value).toFixed(decimals);
  return value < 0 && Number(text) !== 0 ? `−${text}` : text;
}
