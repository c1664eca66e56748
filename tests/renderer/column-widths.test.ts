import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ColumnLimits,
  clampResize,
  fitColumnWidth,
  gridLayout,
  nameParts,
  narrowestWidth,
} from '../../renderer/batch/column-widths.ts';

const limits: ColumnLimits = { minPx: 60, fitMaxPx: 300, resizeMaxPx: 900, padPx: 15 };

describe('results table column widths', () => {
  it('fits a column to the wider of its name and its cells, padded and rounded up to a whole px', () => {
    expect(fitColumnWidth({ headerPx: 183.4, cellsPx: 20 }, limits)).toBe(199); // 198.4 → 199, never cut
    expect(fitColumnWidth({ headerPx: 50, cellsPx: 120 }, limits)).toBe(135);
  });

  it('keeps a fitted column between the minimum and the fitting limit', () => {
    expect(fitColumnWidth({ headerPx: 8, cellsPx: 8 }, limits)).toBe(60);
    expect(fitColumnWidth({ headerPx: 500, cellsPx: 0 }, limits)).toBe(300);
    expect(fitColumnWidth({ headerPx: 0, cellsPx: 2000 }, limits)).toBe(300);
  });

  it('lets a user narrow a column to its name’s widest part and widen it to the resize limit', () => {
    const narrowest = narrowestWidth(70.2, limits);
    expect(narrowest).toBe(86);
    expect(clampResize(10, narrowest, limits)).toBe(86);
    expect(clampResize(140.6, narrowest, limits)).toBe(141);
    expect(clampResize(5000, narrowest, limits)).toBe(900);
    // A very long part never makes the narrowest wider than a fitted column may be.
    expect(narrowestWidth(1000, limits)).toBe(300);
    expect(narrowestWidth(1, limits)).toBe(60);
  });

  it('splits a name after each _ - . / so it wraps between words', () => {
    expect(nameParts('number_of_courses_viewed')).toEqual(['number_', 'of_', 'courses_', 'viewed']);
    expect(nameParts('a.b-c/d')).toEqual(['a.', 'b-', 'c/', 'd']);
    expect(nameParts('income')).toEqual(['income']);
    expect(nameParts('__x')).toEqual(['_', '_', 'x']);
  });

  it('loses nothing of a name and breaks only after a separator (any name)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', 'Z', '9', '_', '-', '.', '/', ' ', 'é') }),
        (name) => {
          const parts = nameParts(name);
          expect(parts.join('')).toBe(name);
          for (const part of parts.slice(0, -1)) expect('_-./').toContain(part.at(-1));
          for (const part of parts) expect(part.slice(0, -1)).not.toMatch(/[_\-./]/);
        },
      ),
    );
  });

  it('lays the grid out as the row-number column then each column, and sums the width', () => {
    expect(gridLayout(56, [135, 200.5])).toEqual({ template: '56px 135px 200.5px', widthPx: 391.5 });
    expect(gridLayout(56, [])).toEqual({ template: '56px', widthPx: 56 });
  });
});
