/**
 * A small CSV row formatter for the output and errors files. Hand-rolled rather than csv-stringify
 * because it runs once per cell of every output row and must also neutralise formulas; it quotes a
 * field only when it has to (delimiter, quote, CR or LF), as RFC 4180 says.
 */

const plainNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * CSV injection (OWASP): a spreadsheet runs a cell starting with = + - @ tab or CR as a formula.
 * Such cells get a leading single quote, which spreadsheets show as text. Cells that are plain
 * numbers (-1.5, +3, -2e5) are left alone: a spreadsheet reads them as numbers, not formulas, and
 * quoting them would turn every negative number in the file into text.
 */
export function neutraliseFormula(cell: string): string {
  if (cell.length === 0) return cell;
  const first = cell.charCodeAt(0);
  // = + - @ \t \r
  if (first !== 61 && first !== 43 && first !== 45 && first !== 64 && first !== 9 && first !== 13)
    return cell;
  if ((first === 43 || first === 45) && plainNumber.test(cell)) return cell;
  return `'${cell}`;
}

export function createRowFormatter(delimiter: string): (cells: readonly string[]) => string {
  const needsQuotes = new RegExp(`["\\r\\n${delimiter === '\t' ? '\\t' : `\\${delimiter}`}]`);
  const formatCell = (raw: string): string => {
    const cell = neutraliseFormula(raw);
    if (!needsQuotes.test(cell)) return cell;
    return `"${cell.replaceAll('"', '""')}"`;
  };
  return (cells) => {
    let line = '';
    for (let i = 0; i < cells.length; i++) {
      if (i > 0) line += delimiter;
      line += formatCell(cells[i] ?? '');
    }
    return line;
  };
}

/**
 * Formats a record that came from the parser as it was read, taking a shortcut for the common case:
 * the line as read (`text`, from the reader's fast path) or `record.join(delimiter)` is the finished
 * line when no cell needs quotes and none is a formula. A line with no quote character can't have a
 * cell holding the delimiter, so one regular-expression test of the line (quote, CR, LF, or a cell
 * starting with a formula character) decides; any hit takes the cell-by-cell path, and so does every
 * record without its text once the file has shown a quote (`quotedCellsPossible`).
 */
export function createRecordFormatter(
  delimiter: string,
): (record: readonly string[], quotedCellsPossible: boolean, text?: string) => string {
  const formatRow = createRowFormatter(delimiter);
  const escaped = delimiter === '\t' ? '\\t' : `\\${delimiter}`;
  const needsCare = new RegExp(`["\\r\\n]|(?:^|${escaped})[=+\\-@\\t]`);
  return (record, quotedCellsPossible, text) => {
    if (text === undefined && quotedCellsPossible) return formatRow(record);
    const line = text ?? record.join(delimiter);
    return needsCare.test(line) ? formatRow(record) : line;
  };
}
