import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  capacityTable,
  parseCapacity,
  rankForCapacity,
  selectByCapacity,
  selectionAt,
} from '../../main/analysis/capacity.ts';
import { gainsTable } from '../../main/analysis/gains.ts';
import { splitByLabel } from '../../main/analysis/labelled-scores.ts';

/**
 * Ten leads worked out by hand. Ranked by score: 0.95✓ 0.90✓ 0.80✗ 0.80✓ 0.70✗ 0.60✓ 0.50✗ 0.40✗ 0.30✗
 * 0.20✗ — 4 conversions in 10, a base rate of 0.4. The two 0.80 rows tie across the 3rd decile's edge.
 * Given in a shuffled order: nothing may depend on it.
 */
const scores = Float64Array.of(0.4, 0.8, 0.95, 0.2, 0.6, 0.7, 0.8, 0.3, 0.9, 0.5);
const labels = Float64Array.of(0, 1, 1, 0, 1, 0, 0, 0, 1, 0);

describe('gains and lift by decile, by hand', () => {
  const table = gainsTable(splitByLabel(scores, labels));

  test('the tie at the 3rd decile edge is shared pro rata: half its one conversion falls in decile 3', () => {
    // Cumulative conversions down to each decile: 1, 2, 2 + ½, 3, 3, 4, 4, 4, 4, 4.
    expect(table.map((row) => row.cumulativeConversions)).toEqual([1, 2, 2.5, 3, 3, 4, 4, 4, 4, 4]);
    expect(table.map((row) => row.conversions)).toEqual([1, 1, 0.5, 0.5, 0, 1, 0, 0, 0, 0]);
    expect(table.map((row) => row.rows)).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
  });

  test('cumulative gain is the share of the 4 conversions; lift is the rate over 0.4', () => {
    expect(table.map((row) => row.cumulativeGain)).toEqual([0.25, 0.5, 0.625, 0.75, 0.75, 1, 1, 1, 1, 1]);
    const cumulativeLift = [1 / 1, 2 / 2, 2.5 / 3, 3 / 4, 3 / 5, 4 / 6, 4 / 7, 4 / 8, 4 / 9, 4 / 10].map(
      (r) => r / 0.4,
    );
    table.forEach((row, i) => {
      expect(row.cumulativeLift).toBeCloseTo(cumulativeLift[i] as number, 14);
    });
    expect(table.map((row) => row.lift)).toEqual([2.5, 2.5, 1.25, 1.25, 0, 2.5, 0, 0, 0, 0]);
    expect(table.at(-1)?.cumulativeLift).toBe(1);
  });

  test('quintiles: 2 rows a group', () => {
    const quintiles = gainsTable(splitByLabel(scores, labels), 5);
    expect(quintiles.map((row) => row.cumulativeConversions)).toEqual([2, 3, 4, 4, 4]);
    expect(quintiles.map((row) => row.populationShare)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
  });

  test('an uneven split rounds each edge: 1,462 rows end deciles at 146, 292, 439, …', () => {
    const many = Float64Array.from({ length: 1462 }, (_, i) => i / 1462);
    const manyLabels = Float64Array.from({ length: 1462 }, (_, i) => i % 2);
    const rows = gainsTable(splitByLabel(many, manyLabels)).map((row) => row.cumulativeRows);
    expect(rows).toEqual([146, 292, 439, 585, 731, 877, 1023, 1170, 1316, 1462]);
  });

  test('whatever the ties and the row order, gains rise to 1 and sum to the conversions', () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 1 })), {
      minLength: 1,
      maxLength: 60,
    });
    fc.assert(
      fc.property(data, (rows) => {
        const s = Float64Array.from(rows, ([v]) => v / 5);
        const l = Float64Array.from(rows, ([, v]) => v);
        const table = gainsTable(splitByLabel(s, l));
        const positives = l.reduce((a, b) => a + b, 0);
        if (positives === 0) {
          expect(table).toEqual([]);
          return;
        }
        const reversed = gainsTable(splitByLabel(s.slice().reverse(), l.slice().reverse()));
        expect(reversed).toEqual(table);
        expect(table.at(-1)?.cumulativeGain).toBeCloseTo(1, 12);
        for (let k = 1; k < table.length; k++) {
          expect((table[k] as { cumulativeGain: number }).cumulativeGain).toBeGreaterThanOrEqual(
            (table[k - 1] as { cumulativeGain: number }).cumulativeGain - 1e-12,
          );
        }
      }),
    );
  });
});

describe('capacity: the threshold that selects N leads, ties included', () => {
  const ranking = rankForCapacity(scores, labels);

  test('3 leads: the 3rd highest score is 0.80, and both 0.80 rows are selected (one beyond capacity)', () => {
    const result = selectByCapacity(ranking, { kind: 'count', count: 3 });
    expect(result).toEqual({
      request: { kind: 'count', count: 3 },
      capacity: 3,
      threshold: 0.8,
      selected: 4,
      tiedBeyondCapacity: 1,
      expectedConversions: 0.95 + 0.9 + 0.8 + 0.8,
      conversions: 3,
      precision: 0.75,
      recall: 0.75,
      lift: 0.75 / 0.4,
    });
  });

  test('2 leads: no tie at the cut, exactly 2 selected', () => {
    const result = selectByCapacity(ranking, { kind: 'count', count: 2 });
    expect(result).toMatchObject({
      threshold: 0.9,
      selected: 2,
      tiedBeyondCapacity: 0,
      conversions: 2,
      lift: 2.5,
    });
  });

  test('a share becomes round(share · rows) rows; 0 selects nothing; more than all selects all', () => {
    expect(selectByCapacity(ranking, { kind: 'share', share: 0.25 })).toMatchObject({
      capacity: 3,
      selected: 4,
    });
    expect(selectByCapacity(ranking, { kind: 'share', share: 0.04 })).toMatchObject({
      capacity: 0,
      threshold: null,
      selected: 0,
      conversions: 0,
      expectedConversions: 0,
    });
    expect(selectByCapacity(ranking, { kind: 'count', count: 50 })).toMatchObject({
      capacity: 10,
      threshold: 0.2,
      selected: 10,
      recall: 1,
      lift: 1,
    });
  });

  test('the slider and the field agree: the threshold a capacity gives selects the same rows back', () => {
    for (let count = 1; count <= 10; count++) {
      const result = selectByCapacity(ranking, { kind: 'count', count });
      const again = selectionAt(ranking, result.threshold);
      expect(again.selected).toBe(result.selected);
      expect(again.conversions).toBe(result.conversions);
    }
  });

  test('without labels: the threshold and the conversions the model expects, nothing more', () => {
    const unlabelled = rankForCapacity(scores);
    const result = selectByCapacity(unlabelled, { kind: 'count', count: 2 });
    expect(result).toEqual({
      request: { kind: 'count', count: 2 },
      capacity: 2,
      threshold: 0.9,
      selected: 2,
      tiedBeyondCapacity: 0,
      expectedConversions: 0.95 + 0.9,
    });
  });

  test('the table holds 5, 10, 20, 30 and 50 %', () => {
    expect(capacityTable(ranking).map((row) => [row.capacity, row.selected])).toEqual([
      [1, 1], // 0.5 rows rounds up
      [1, 1],
      [2, 2],
      [3, 4],
      [5, 5],
    ]);
  });

  test('selection is exact against brute force with many ties', () => {
    const data = fc.array(fc.tuple(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 1 })), {
      minLength: 1,
      maxLength: 40,
    });
    fc.assert(
      fc.property(data, fc.integer({ min: 0, max: 45 }), (rows, count) => {
        const s = rows.map(([v]) => v / 4);
        const l = rows.map(([, v]) => v);
        const result = selectByCapacity(rankForCapacity(s, l), { kind: 'count', count });
        const capacity = Math.min(count, s.length);
        const descending = [...s].sort((a, b) => b - a);
        const threshold = capacity === 0 ? null : (descending[capacity - 1] as number);
        const picked = s.map((v) => threshold !== null && v >= threshold);
        const selected = picked.filter(Boolean).length;
        expect(result.threshold).toBe(threshold);
        expect(result.selected).toBe(selected);
        expect(result.tiedBeyondCapacity).toBe(selected - capacity);
        expect(result.conversions).toBe(l.filter((v, i) => v === 1 && picked[i]).length);
        expect(result.expectedConversions).toBeCloseTo(
          s.filter((_, i) => picked[i]).reduce((a, b) => a + b, 0),
          12,
        );
      }),
    );
  });
});

describe('parseCapacity', () => {
  test('reads rows and percentages', () => {
    expect(parseCapacity('250')).toEqual({ kind: 'count', count: 250 });
    expect(parseCapacity(' 10% ')).toEqual({ kind: 'share', share: 0.1 });
    expect(parseCapacity('12.5 %')).toEqual({ kind: 'share', share: 0.125 });
  });
  test('says what it expected otherwise', () => {
    expect(() => parseCapacity('ten')).toThrow(
      'Capacity "ten" is neither a number of rows (250) nor a share of them (10%).',
    );
    expect(() => parseCapacity('150%')).toThrow('Capacity "150%" is more than 100 % of the rows.');
    expect(() => parseCapacity('-5')).toThrow('neither');
  });
});
