import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { compareDecisions, modelDecisions, scoreRanking } from '../../main/analysis/decisions.ts';
import { labelledComparisonSchema, modelDecisionsSchema } from '../../shared/contract/index.ts';

const references = JSON.parse(
  readFileSync(new URL('../fixtures/analysis/decision_references.json', import.meta.url), 'utf8'),
) as { sets: Record<string, { scores: number[]; labels: number[]; rocAuc: number; brier: number }> };
const { v1, v2 } = references.sets as Record<
  'v1' | 'v2',
  { scores: number[]; labels: number[]; rocAuc: number }
>;

describe('the decision figures as the report and --json carry them', () => {
  test('one model: valid against the contract, figures from the tested modules', () => {
    const figures = modelDecisionsSchema.parse(modelDecisions(v1.scores, v1.labels, 0.5));
    expect(figures.rocAuc).toBeCloseTo(v1.rocAuc, 14);
    expect(figures.rows).toBe(1462);
    expect(figures.gains).toHaveLength(10);
    expect(figures.capacity.map((row) => row.capacity)).toEqual([73, 146, 292, 439, 731]);
    expect(figures.roc.length).toBeLessThanOrEqual(200);
    expect(figures.histogram.bins.length).toBeGreaterThan(5);
  });

  test('v1 against v2 on the lead file: the verdict names v1 as better, and it is real at 5 %', () => {
    const comparison = labelledComparisonSchema.parse(
      compareDecisions(v1.scores, v2.scores, v1.labels, {
        threshold: 0.5,
        labelColumn: 'converted',
        nameA: 'v1',
        nameB: 'v2',
      }),
    );
    expect(comparison.delong?.aucDifference).toBeCloseTo(-0.008466826031, 10);
    expect(comparison.verdict).toBe(
      "v1's AUC is 0.008 higher than v2's, 95 % CI 0.001–0.016, p = 0.029: the difference is real.",
    );
  });

  test('the ranking is every score highest first, labels alongside; thinned past 100,000 rows', () => {
    const ranking = scoreRanking([0.2, 0.9, 0.5], [0, 1, 1]);
    expect(ranking).toEqual({ rows: 3, stride: 1, scores: [0.9, 0.5, 0.2], labels: [1, 1, 0] });
    const big = scoreRanking(Float64Array.from({ length: 250_000 }, (_, i) => i));
    expect(big.stride).toBe(3);
    expect(big.scores[0]).toBe(249_999);
    expect(big.scores.length).toBe(83_334);
  });
});

describe('from the sorted arrays a batch run hands over', () => {
  test('the same figures as from the rows, and the same ranking', async () => {
    const { splitByLabel } = await import('../../main/analysis/labelled-scores.ts');
    const { decisionsFromSplit, rankingFromSplit, rankingFromSorted } = await import(
      '../../main/analysis/decisions.ts'
    );
    const split = splitByLabel(v2.scores, v2.labels);
    const direct = modelDecisions(v2.scores, v2.labels, 0.5);
    const fromSplit = decisionsFromSplit(split, 0.5);
    expect(fromSplit.rocAuc).toBe(direct.rocAuc);
    expect(fromSplit.gains).toEqual(direct.gains);
    expect(fromSplit.capacity).toEqual(direct.capacity);
    // Means summed in another order: equal to rounding.
    fromSplit.calibration.forEach((bin, i) => {
      expect(bin.count).toBe(direct.calibration[i]?.count);
      expect(bin.meanPredicted).toBeCloseTo(direct.calibration[i]?.meanPredicted as number, 13);
      expect(bin.observedRate).toBe(direct.calibration[i]?.observedRate);
    });
    expect(fromSplit.logLoss).toBeCloseTo(direct.logLoss as number, 13);
    const ranking = rankingFromSplit(split);
    expect(ranking.scores).toEqual(scoreRanking(v2.scores, v2.labels).scores);
    expect(ranking.labels?.filter((l) => l === 1).length).toBe(split.positives.length);
    expect(rankingFromSorted(Float64Array.of(0.1, 0.5, 0.9))).toEqual({
      rows: 3,
      stride: 1,
      scores: [0.9, 0.5, 0.1],
    });
  });
});
