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

/** What the engine writes for each input row before its prediction columns. */
export interface SourceRowFormatter {
  /**
   * A line from the reader's fast path: it has no quote, CR or LF, so its cells are exactly
   * `text.split(delimiter)` and none needs quotes; it is written as it is unless a cell starts with a
   * formula character (checked as the first character and after each delimiter).
   */
  line(text: string): string;
  /**
   * A record from csv-parse. While the file has shown no quote character (`quotedCellsPossible`
   * false) no cell can hold the delimiter, so the joined record is the finished line unless one test
   * finds a quote, CR, LF or formula start; otherwise each cell is formatted.
   */
  record(record: readonly string[], quotedCellsPossible: boolean): string;
}

export function createSourceRowFormatter(delimiter: string): SourceRowFormatter {
  const formatRow = createRowFormatter(delimiter);
  const escaped = delimiter === '\t' ? '\\t' : `\\${delimiter}`;
  const needsCare = new RegExp(`["\\r\\n]|(?:^|${escaped})[=+\\-@\\t]`);
  // Measured on lead-shaped lines: about twice as fast as needsCare, which must also look for quotes.
  const formulaAfterDelimiter = new RegExp(`${escaped}[=+\\-@\\t]`);
  return {
    line(text) {
      if (!startsLikeFormula(text) && !formulaAfterDelimiter.test(text)) return text;
      return formatRow(text.split(delimiter));
    },
    record(record, quotedCellsPossible) {
      if (quotedCellsPossible) return formatRow(record);
      const line = record.join(delimiter);
      return needsCare.test(line) ? formatRow(record) : line;
    },
  };
}

/** = + - @ or tab as the first character. */
function startsLikeFormula(text: string): boolean {
  const first = text.charCodeAt(0);
  return first === 61 || first === 43 || first === 45 || first === 64 || first === 9;
}
