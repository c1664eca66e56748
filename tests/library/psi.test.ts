import { describe, expect, it } from 'vitest';
import {
  binIndex,
  computePsiCategorical,
  computePsiNumeric,
  decileEdges,
  PSI_EPSILON,
  psiBand,
} from '../../main/analysis/psi.ts';

const ln = Math.log;

describe('decile edges', () => {
  it('puts one tenth of 1..10 in each right-closed bin', () => {
    expect(decileEdges([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(binIndex([1, 2, 3], 1)).toBe(0);
    expect(binIndex([1, 2, 3], 1.5)).toBe(1);
    expect(binIndex([1, 2, 3], 99)).toBe(3);
  });

  it('drops duplicate edges when values tie, and an edge equal to the maximum', () => {
    // 0 ×5, 1 ×3, 2 ×2: deciles 0,0,0,0,0,1,1,1,2 → distinct 0,1,2 → 2 is the max, dropped.
    expect(decileEdges([0, 0, 0, 0, 0, 1, 1, 1, 2, 2])).toEqual([0, 1]);
    expect(decileEdges([7, 7, 7])).toEqual([]);
    expect(decileEdges([])).toEqual([]);
  });
});

describe('PSI computed by hand', () => {
  it('numeric: half the rows pile into the first decile, the top four deciles empty', () => {
    const reference = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    const current = [1, 1, 1, 1, 1, 2, 3, 4, 5, 6];
    // Bins ≤1, (1,2], …, (8,9], >9: reference 0.1 each; current 0.5, 0.1 ×5, then 0 ×4 (raised to ε).
    // 0.4 × ln 5 = 0.643775; 4 × (0.0001 − 0.1) × ln 0.001 = 2.760339.
    const expected = (0.5 - 0.1) * ln(0.5 / 0.1) + 4 * (PSI_EPSILON - 0.1) * ln(PSI_EPSILON / 0.1);
    const drift = computePsiNumeric('x', reference, current);
    expect(drift.psi).toBeCloseTo(expected, 12);
    expect(drift.psi).toBeCloseTo(0.643775 + 2.760339, 5);
    expect(drift.band).toBe('shifted');
    expect(drift.bins).toHaveLength(10);
    expect(drift.bins[0]).toEqual({ label: '≤ 1', referenceShare: 0.1, currentShare: 0.5 });
  });

  it('numeric: the same distribution has PSI 0', () => {
    const values = Array.from({ length: 1000 }, (_, i) => (i * 37) % 101);
    const drift = computePsiNumeric('x', values, [...values].reverse());
    expect(drift.psi).toBe(0);
    expect(drift.band).toBe('stable');
  });

  it('numeric: tied reference values bin consistently and missing cells get their own bin', () => {
    // Reference: 0 ×6, 1 ×4 → edges [0] → bins ≤0 and >0: 0.6 / 0.4; plus 0 missing of 10.
    // Current: 0 ×3, 1 ×5, and 2 empty cells → ≤0: 3/10, >0: 5/10, missing 2/10.
    const reference = [0, 0, 0, 0, 0, 0, 1, 1, 1, 1];
    // Cells arrive as the CSV reader read them: null for an empty or unreadable cell ('' and 'n/a').
    const current = [0, 0, 0, 1, 1, 1, 1, 1, null, null];
    const drift = computePsiNumeric('courses', reference, current);
    const expected =
      (0.3 - 0.6) * ln(0.3 / 0.6) + (0.5 - 0.4) * ln(0.5 / 0.4) + (0.2 - PSI_EPSILON) * ln(0.2 / PSI_EPSILON);
    expect(drift.psi).toBeCloseTo(expected, 12);
    expect(drift.missingCurrent).toBe(2);
    expect(drift.bins.map((bin) => bin.label)).toEqual(['≤ 0', '> 0', '(missing)']);
  });

  it('categorical: shares per category, unseen categories counted in their own bin', () => {
    const reference = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c'];
    const current = ['a', 'a', 'b', 'b', 'b', 'b', 'c', 'd', 'd', 'e'];
    // a 0.4 → 0.2, b 0.3 → 0.4, c 0.3 → 0.1, unseen ε → 0.3 (d ×2, e ×1).
    const expected =
      (0.2 - 0.4) * ln(0.2 / 0.4) +
      (0.4 - 0.3) * ln(0.4 / 0.3) +
      (0.1 - 0.3) * ln(0.1 / 0.3) +
      (0.3 - PSI_EPSILON) * ln(0.3 / PSI_EPSILON);
    const drift = computePsiCategorical('source', reference, current);
    expect(drift.psi).toBeCloseTo(expected, 12);
    expect(drift.unseenCount).toBe(3);
    expect(drift.unseenCategories).toEqual(['d', 'e']);
    expect(drift.bins.at(-1)?.label).toBe('(unseen)');
  });

  it('categorical: a small shift stays in the stable band, a larger one is moderate', () => {
    const reference = [...Array(50).fill('a'), ...Array(50).fill('b')];
    const slight = [...Array(55).fill('a'), ...Array(45).fill('b')];
    const moderate = [...Array(68).fill('a'), ...Array(32).fill('b')];
    const slightPsi = 0.05 * ln(0.55 / 0.5) + -0.05 * ln(0.45 / 0.5);
    const moderatePsi = 0.18 * ln(0.68 / 0.5) + -0.18 * ln(0.32 / 0.5);
    expect(computePsiCategorical('s', reference, slight).psi).toBeCloseTo(slightPsi, 12);
    expect(computePsiCategorical('s', reference, slight).band).toBe('stable');
    expect(computePsiCategorical('s', reference, moderate).psi).toBeCloseTo(moderatePsi, 12);
    expect(computePsiCategorical('s', reference, moderate).band).toBe('moderate');
  });
});

describe('bands', () => {
  it('uses 0.1 and 0.25 as the borders, a PSI on a border in the band above it', () => {
    expect(psiBand(0.099)).toBe('stable');
    expect(psiBand(0.1)).toBe('moderate');
    expect(psiBand(0.2499)).toBe('moderate');
    expect(psiBand(0.25)).toBe('shifted');
  });
});
