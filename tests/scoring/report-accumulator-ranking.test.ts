import { describe, expect, test } from 'vitest';
import { capacityTable, rankForCapacity, selectByCapacity } from '../../main/analysis/capacity.ts';
import { scoreRanking } from '../../main/analysis/decisions.ts';
import { histogramEdges, scoreHistogram } from '../../main/analysis/score-bins.ts';
import { seededRandom as random } from '../../main/analysis/shapley.ts';
import { ReportAccumulator } from '../../main/scoring/report-accumulator.ts';

/**
 * A batch run without a label column still ranks every score (capacity table, ranking, histogram over
 * the scores seen). The workers' parts are sorted and merged, and the figures are read off the one
 * merged array; these tests hold them to the plain functions over the scores in file order, and the
 * histogram's counts to a brute-force count per score.
 */

/** What the engine does: one accumulator per part of the file, their states merged in file order. */
function runInParts(scores: number[], parts: number, capacity?: { kind: 'share'; share: number }) {
  const options = {
    scoreName: 'probability',
    probabilityScale: true,
    rankScores: true,
    columns: ['id'],
    ...(capacity ? { capacity } : {}),
  };
  const cut = Math.ceil(scores.length / parts);
  const states = Array.from({ length: parts }, (_, part) => {
    const accumulator = new ReportAccumulator(options);
    scores.slice(part * cut, (part + 1) * cut).forEach((score, k) => {
      const row = part * cut + k;
      accumulator.add(score, row + 2, undefined, () => [String(row)], k);
    });
    return accumulator.state();
  });
  const [first, ...later] = states;
  if (!first) throw new Error('no parts');
  const merged = ReportAccumulator.fromState(first);
  for (const state of later) merged.merge(state);
  return merged.finish(0.5);
}

/** Counts per bar by the rule itself, score by score: edges[i] ≤ score < edges[i+1], the last bar closed. */
function bruteForceCounts(scores: number[], edges: Float64Array): number[] {
  const bars = edges.length - 1;
  return Array.from({ length: bars }, (_, bar) => {
    const from = edges[bar] as number;
    const to = edges[bar + 1] as number;
    return scores.filter((score) => score >= from && (bar === bars - 1 ? score <= to : score < to)).length;
  });
}

describe('a batch run without a label: capacity, ranking and histogram from the merged parts', () => {
  const cases: Array<[string, number[]]> = [];
  for (const seed of [1, 2, 3]) {
    const next = random(seed);
    // Continuous scores, and scores on a coarse grid (many ties, as a tree model gives).
    cases.push([`continuous, seed ${seed}`, Array.from({ length: 3001 + seed * 577 }, () => next())]);
    cases.push([
      `ties, seed ${seed}`,
      Array.from({ length: 2500 + seed * 311 }, () => Math.round(next() * 40) / 40),
    ]);
  }
  cases.push(['one score', [0.25]]);
  cases.push(['all equal', [0.5, 0.5, 0.5, 0.5]]);

  test.each(cases)('%s: the same figures as the plain functions over the rows', (_, scores) => {
    for (const parts of [1, 2, 3]) {
      const report = runInParts(scores, parts, { kind: 'share', share: 0.15 });
      expect(report.capacity).toEqual(capacityTable(rankForCapacity(scores)));
      expect(report.selection).toEqual(
        selectByCapacity(rankForCapacity(scores), { kind: 'share', share: 0.15 }),
      );
      expect(report.ranking).toEqual(scoreRanking(scores));
      expect(report.scoreHistogram).toEqual(scoreHistogram(scores));
      const { edges } = histogramEdges(scores);
      expect(report.scoreHistogram?.bins.map((bin) => bin.count)).toEqual(bruteForceCounts(scores, edges));
    }
  });

  test('past 100,000 rows the ranking is thinned as scoreRanking thins it', () => {
    const next = random(7);
    const scores = Array.from({ length: 250_003 }, () => Math.round(next() * 1000) / 1000);
    const report = runInParts(scores, 2);
    expect(report.ranking).toEqual(scoreRanking(scores));
    expect(report.capacity).toEqual(capacityTable(rankForCapacity(scores)));
  });
});

describe('a batch run with a label column: the same figures from the merged parts', () => {
  test('capacity, the --capacity selection, histogram and ranking equal the plain functions over the rows', () => {
    const next = random(5);
    const scores = Array.from({ length: 5003 }, () => Math.round(next() * 300) / 300);
    const labels = scores.map((score) => (next() < score ? 1 : 0));
    const request = { kind: 'share', share: 0.1 } as const;
    for (const parts of [1, 2, 3]) {
      const options = {
        scoreName: 'probability',
        probabilityScale: true,
        rankScores: true,
        capacity: request,
        columns: ['converted'],
        label: { column: 'converted', positiveClass: 1, classLabels: [0, 1] },
      };
      const cut = Math.ceil(scores.length / parts);
      const states = Array.from({ length: parts }, (_, part) => {
        const accumulator = new ReportAccumulator(options);
        for (let row = part * cut; row < Math.min(scores.length, (part + 1) * cut); row++)
          accumulator.add(
            scores[row] as number,
            row + 2,
            String(labels[row]),
            () => [String(labels[row])],
            row,
          );
        return accumulator.state();
      });
      const merged = ReportAccumulator.fromState(states[0] as ReturnType<ReportAccumulator['state']>);
      for (const state of states.slice(1)) merged.merge(state);
      const report = merged.finish(0.5);
      const ranked = rankForCapacity(scores, labels);
      expect(report.capacity).toEqual(capacityTable(ranked));
      expect(report.selection).toEqual(selectByCapacity(ranked, request));
      expect(report.scoreHistogram).toEqual(scoreHistogram(scores, labels));
      expect(report.ranking?.scores).toEqual(scoreRanking(scores, labels).scores);
    }
  });
});

describe('scoreHistogram with labels', () => {
  test('each bar splits into label-1 and label-0 rows, as counted row by row', () => {
    const next = random(11);
    const scores = Array.from({ length: 4000 }, () => Math.round(next() * 200) / 200);
    const labels = scores.map((score) => (next() < score ? 1 : 0));
    const histogram = scoreHistogram(scores, labels);
    const { edges } = histogramEdges(scores);
    const positives = bruteForceCounts(
      scores.filter((_, i) => labels[i] === 1),
      edges,
    );
    expect(histogram.bins.map((bin) => bin.count)).toEqual(bruteForceCounts(scores, edges));
    expect(histogram.bins.map((bin) => bin.positives)).toEqual(positives);
    expect(histogram.bins.map((bin) => bin.negatives)).toEqual(
      histogram.bins.map((bin, bar) => bin.count - (positives[bar] as number)),
    );
  });
});
