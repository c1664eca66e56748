import type { Capacity } from '../../shared/contract/index.ts';
import { checkScores, checkScoresAndLabels, lowerBound, sortedCopy } from './labelled-scores.ts';

/**
 * "My team can call N leads (or X % of them) this week": the score threshold that selects them, and what
 * is in the selection.
 *
 * Ties: a row is selected when its score is ≥ the threshold, as the threshold slider selects, and the
 * threshold is the score of the N-th highest row; so every row tied with the N-th is selected too and
 * the selection can exceed N by those ties (`tiedBeyondCapacity` says by how many). Cutting inside a tie
 * would pick among rows the model can't tell apart by their order in the file.
 *
 * A share X becomes round(X · rows) rows.
 */
export type CapacityRequest = Capacity['request'];

export interface CapacityRanking {
  readonly rows: number;
  /** All scores, ascending. */
  readonly sorted: Float64Array;
  /** suffixSums[i]: the sum of sorted[i…]. */
  readonly suffixSums: Float64Array;
  /** Label-1 rows' scores, ascending; absent without labels. */
  readonly positives?: Float64Array;
}

export function rankForCapacity(scores: ArrayLike<number>, labels?: ArrayLike<number>): CapacityRanking {
  if (labels) checkScoresAndLabels(scores, labels);
  else checkScores(scores);
  const sorted = sortedCopy(scores);
  if (!labels) return rankSorted(sorted);
  let positiveCount = 0;
  for (let i = 0; i < labels.length; i++) positiveCount += labels[i] as number;
  const positives = new Float64Array(positiveCount);
  for (let i = 0, p = 0; i < labels.length; i++)
    if (labels[i] === 1) positives[p++] = (scores[i] as number) + 0;
  positives.sort();
  return rankSorted(sorted, positives);
}

/**
 * The ranking of finite scores already sorted ascending (and the label-1 ones, likewise), kept as they
 * are: a batch run's workers sort their scores and the service merges them, so a million rows are
 * neither copied nor sorted again here.
 */
export function rankSorted(sorted: Float64Array, positives?: Float64Array): CapacityRanking {
  const suffixSums = new Float64Array(sorted.length + 1);
  let sum = 0;
  for (let i = sorted.length - 1; i >= 0; i--) {
    sum += sorted[i] as number;
    suffixSums[i] = sum;
  }
  return positives
    ? { rows: sorted.length, sorted, suffixSums, positives }
    : { rows: sorted.length, sorted, suffixSums };
}

export function capacityOf(request: CapacityRequest, rows: number): number {
  const wanted = request.kind === 'count' ? request.count : Math.floor(request.share * rows + 0.5);
  return Math.max(0, Math.min(rows, wanted));
}

export function selectByCapacity(ranking: CapacityRanking, request: CapacityRequest): Capacity {
  const capacity = capacityOf(request, ranking.rows);
  const threshold = capacity === 0 ? null : (ranking.sorted[ranking.rows - capacity] as number);
  return { request, capacity, ...selectionAt(ranking, threshold, capacity) };
}

/** What a threshold selects (everything ≥ it; nothing when null), as the slider shows it. */
export function selectionAt(
  ranking: CapacityRanking,
  threshold: number | null,
  capacity?: number,
): Omit<Capacity, 'request' | 'capacity'> {
  const first = threshold === null ? ranking.rows : lowerBound(ranking.sorted, threshold);
  const selected = ranking.rows - first;
  const result: Omit<Capacity, 'request' | 'capacity'> = {
    threshold,
    selected,
    tiedBeyondCapacity: capacity === undefined ? 0 : Math.max(0, selected - capacity),
    expectedConversions: ranking.suffixSums[first] as number,
  };
  if (!ranking.positives) return result;
  const positives = ranking.positives.length;
  const conversions = threshold === null ? 0 : positives - lowerBound(ranking.positives, threshold);
  const precision = selected === 0 ? 0 : conversions / selected;
  return {
    ...result,
    conversions,
    precision,
    recall: positives === 0 ? 0 : conversions / positives,
    lift: positives === 0 ? 0 : precision / (positives / ranking.rows),
  };
}

/** The capacity table of `score --json` and the report: 5, 10, 20, 30 and 50 % of the rows. */
export const CAPACITY_SHARES = [0.05, 0.1, 0.2, 0.3, 0.5] as const;

export function capacityTable(
  ranking: CapacityRanking,
  shares: readonly number[] = CAPACITY_SHARES,
): Capacity[] {
  return shares.map((share) => selectByCapacity(ranking, { kind: 'share', share }));
}

/**
 * Reads "250" or "10%" (as typed on the CLI or in the Capacity field). Throws with the reason otherwise.
 */
export function parseCapacity(text: string): CapacityRequest {
  const trimmed = text.trim();
  const percent = /^(\d+(?:\.\d+)?)\s*%$/.exec(trimmed);
  if (percent) {
    const share = Number(percent[1]) / 100;
    if (share > 1) throw new Error(`Capacity "${text}" is more than 100 % of the rows.`);
    return { kind: 'share', share };
  }
  if (/^\d+$/.test(trimmed)) return { kind: 'count', count: Number(trimmed) };
  throw new Error(`Capacity "${text}" is neither a number of rows (250) nor a share of them (10%).`);
}
