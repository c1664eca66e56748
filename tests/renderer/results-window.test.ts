import { describe, expect, it } from 'vitest';
import { maxSpacerPx, rowWindow } from '../../renderer/batch/row-window.ts';

const rowPx = 28;
const viewportPx = 14 * rowPx;

describe('results table row window', () => {
  it('places rows one height apart while the full height fits', () => {
    const layout = rowWindow(10 * rowPx + 5, 1000, viewportPx);
    expect(layout.scale).toBe(1);
    expect(layout.first).toBe(10);
    expect(layout.spacerPx).toBe(1000 * rowPx);
    expect(layout.top(10)).toBe(10 * rowPx);
  });

  it('compresses 3M rows into a spacer browsers can draw, and still reaches the last row', () => {
    const rows = 3_000_000;
    const end = maxSpacerPx - viewportPx; // the furthest the rows' viewport scrolls
    const layout = rowWindow(end, rows, viewportPx);
    expect(layout.spacerPx).toBe(maxSpacerPx);
    expect(layout.first).toBe(rows - 14);
    // The last row's bottom edge is the spacer's bottom edge.
    expect(layout.top(rows - 1) + rowPx).toBeCloseTo(maxSpacerPx, 6);
    // Rows in view sit inside the viewport, one row height apart.
    const middle = rowWindow(end / 2, rows, viewportPx);
    expect(middle.top(middle.first)).toBeLessThanOrEqual(end / 2);
    expect(middle.top(middle.first) + rowPx).toBeGreaterThan(end / 2);
    expect(middle.top(middle.first + 1) - middle.top(middle.first)).toBeCloseTo(rowPx, 6);
  });
});
