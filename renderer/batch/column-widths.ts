/**
 * Column widths of the results table (ResultsTable.tsx). Its rows are separate grids placed
 * absolutely (only the visible ones exist), so the browser cannot size columns from their content:
 * the widths are set here from the text's measured natural widths, and the user can resize them.
 */

/** Width limits in px; `padPx` is a cell's horizontal padding, both sides together. */
export interface ColumnLimits {
  /** The narrowest a user may make a column: its name then wraps onto more lines. */
  minPx: number;
  /** The widest a column fits itself to; a longer name wraps, a longer cell ends in an ellipsis. */
  fitMaxPx: number;
  /** The widest a user may drag a column. */
  resizeMaxPx: number;
  padPx: number;
}

/** The natural (one-line) widths of a column's name and of its widest cell, in px. */
export interface NaturalWidth {
  headerPx: number;
  cellsPx: number;
}

/**
 * A column as wide as its name and its widest cell on one line, plus padding, within
 * [minPx, fitMaxPx]. Rounded up to whole px so text measured at 183.4 px is never cut at 183.
 */
export function fitColumnWidth(natural: NaturalWidth, limits: ColumnLimits): number {
  const wanted = Math.ceil(Math.max(natural.headerPx, natural.cellsPx) + limits.padPx);
  return Math.min(Math.max(wanted, limits.minPx), limits.fitMaxPx);
}

/**
 * The parts a column name wraps between in a column narrower than it: after each `_`, `-`, `.` or `/`
 * (`number_of_courses_viewed` → `number_`, `of_`, `courses_`, `viewed`), so words stay whole.
 */
export function nameParts(name: string): string[] {
  return name.split(/(?<=[_\-./])/);
}

/**
 * The narrowest a user may make a column: its name's widest part (`wordPx`) still fits on a line, so
 * the name wraps between parts and never inside one, within [minPx, fitMaxPx].
 */
export function narrowestWidth(wordPx: number, limits: ColumnLimits): number {
  return Math.min(Math.max(Math.ceil(wordPx + limits.padPx), limits.minPx), limits.fitMaxPx);
}

/** A width the user asked for (a drag or an arrow key), kept within [the column's narrowest, resizeMaxPx]. */
export function clampResize(widthPx: number, narrowestPx: number, limits: ColumnLimits): number {
  return Math.round(Math.min(Math.max(widthPx, narrowestPx), limits.resizeMaxPx));
}

/** The grid's column template and total width: the row-number column, then each column in px. */
export function gridLayout(
  numberPx: number,
  widths: readonly number[],
): { template: string; widthPx: number } {
  const template = [numberPx, ...widths].map((px) => `${px}px`).join(' ');
  const widthPx = widths.reduce((sum, px) => sum + px, numberPx);
  return { template, widthPx };
}
