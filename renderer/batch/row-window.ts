/** The results table's fixed row height (ResultsTable.tsx). */
export const rowHeight = 28;

/**
 * Browsers cap an element's height (Chromium at 2^25 px ≈ 1.2M rows of 28 px); past this the spacer
 * stays this tall and a pixel of scroll stands for more than a pixel of rows.
 */
export const maxSpacerPx = 8_000_000;

/** Which row is at the top for a scroll position, and where rows go in the (possibly compressed) spacer. */
export function rowWindow(
  scrollTop: number,
  rows: number,
  viewportPx: number,
): { first: number; spacerPx: number; scale: number; top: (row: number) => number } {
  const fullPx = rows * rowHeight;
  const spacerPx = Math.min(fullPx, maxSpacerPx);
  const scale =
    spacerPx > viewportPx && fullPx > spacerPx ? (fullPx - viewportPx) / (spacerPx - viewportPx) : 1;
  const virtualTop = scrollTop * scale;
  const first = Math.max(0, Math.min(Math.floor(virtualTop / rowHeight), Math.max(0, rows - 1)));
  return { first, spacerPx, scale, top: (row) => scrollTop + row * rowHeight - virtualTop };
}
