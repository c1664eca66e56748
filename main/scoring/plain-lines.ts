import { initParser, type Parser, type Schema } from 'udsv';

/**
 * The fast path of the CSV reader: uDSV (a small, fast CSV parser) splits text with no quote
 * characters into records, about four times faster than csv-parse. uDSV assumes a well-formed file
 * (every row has the header's field count, one row delimiter), so each piece of text is checked
 * afterwards, and anything it can't vouch for is handed back for csv-parse to read:
 *
 * - no quote character (quoted fields take csv-parse's path);
 * - exactly one record per line: as many records as row delimiters. A short row would make uDSV
 *   join it with the next line, a blank line would be skipped, so both change the count;
 * - no last field holding the delimiter (a row with extra fields);
 * - no line near the record-size limit (csv-parse's limit and message apply);
 * - no CR or LF other than the row delimiter (csv-parse counts each in its line numbers).
 *
 * When all hold, the records are exactly what csv-parse returns (relax_column_count, skip_empty_lines,
 * its record delimiter detected as the first line break of the file) and record k starts on line k.
 */
export class PlainLineReader {
  private readonly parser: Parser;
  private readonly delimiter: string;
  private readonly width: number;
  private readonly rowDelimiter: string;
  private readonly quote: string | undefined;
  private readonly maxLineChars: number;

  private constructor(options: {
    delimiter: string;
    rowDelimiter: string;
    width: number;
    quote: string | undefined;
    maxRecordChars: number;
  }) {
    this.delimiter = options.delimiter;
    this.rowDelimiter = options.rowDelimiter;
    this.width = options.width;
    this.quote = options.quote;
    // csv-parse counts bytes, uDSV characters: a UTF-8 character is at most 3 bytes per UTF-16 unit.
    this.maxLineChars = Math.floor(options.maxRecordChars / 3);
    const schema = {
      skip: 0,
      col: options.delimiter,
      row: options.rowDelimiter,
      encl: '', // '' (not null) makes uDSV take its unquoted path, which is the only one used here
      esc: '',
      trim: false,
      cols: Array.from({ length: options.width }, (_, index) => ({
        name: String(index),
        type: 's' as const,
        repl: { empty: undefined, null: undefined, NaN: undefined },
      })),
    } satisfies Schema & { skip: number };
    this.parser = initParser(schema);
  }

  /**
   * A reader for a file that starts with `text` (its first decoded characters, BOM removed), or
   * undefined when the start already rules the fast path out: a quote, a line break that isn't LF
   * or CRLF, a single column (where uDSV keeps blank lines) or no complete first line yet.
   */
  static forFileStart(
    text: string,
    options: {
      delimiter: string;
      quote: string | undefined;
      maxRecordChars: number;
      /** Reading from the middle of a file: the line break its start had (csv-parse's choice). */
      rowDelimiter?: string;
    },
  ): PlainLineReader | undefined {
    if (options.quote !== undefined && text.includes(options.quote)) return undefined;
    const breakAt = text.search(/[\r\n]/);
    if (breakAt < 0) return undefined;
    let rowDelimiter: string;
    if (text[breakAt] === '\n') rowDelimiter = '\n';
    else if (text[breakAt + 1] === '\n') rowDelimiter = '\r\n';
    else return undefined; // CR-only line breaks
    if (options.rowDelimiter !== undefined && rowDelimiter !== options.rowDelimiter) return undefined;
    const width = text.slice(0, breakAt).split(options.delimiter).length;
    if (width < 2) return undefined;
    return new PlainLineReader({ ...options, rowDelimiter, width });
  }

  /** The record delimiter csv-parse must use if it takes over (it would have detected the same). */
  get recordDelimiter(): string {
    return this.rowDelimiter;
  }

  /**
   * Splits `text`, which must end with a row delimiter, into records; null when the checks above
   * fail, and then nothing was consumed and this reader must not be used again.
   */
  read(text: string): { records: string[][]; texts: string[] } | null {
    if (this.quote !== undefined && text.includes(this.quote)) return null;
    // csv-parse counts every CR and LF as a line break for its line numbers, so the text may hold
    // no other line break than the row delimiter for record k to be on line k.
    if (this.rowDelimiter === '\n' ? text.includes('\r') : !onlyCrlf(text)) return null;
    const rowDelimiter = this.rowDelimiter;
    // Each line's text (a slice, not a copy): the writer copies it to the output as it is.
    const texts: string[] = [];
    let longest = 0;
    for (let start = 0; start < text.length; ) {
      const end = text.indexOf(rowDelimiter, start);
      if (end < 0) return null;
      if (end - start > longest) longest = end - start;
      texts.push(text.slice(start, end));
      start = end + rowDelimiter.length;
    }
    if (longest >= this.maxLineChars) return null;
    this.records = [];
    this.wide = false;
    this.parser.chunk<string[]>(text, this.parser.stringArrs, this.onRecord);
    const records = this.records;
    this.records = [];
    if (this.wide || records.length !== texts.length) return null;
    return { records, texts };
  }

  // uDSV keeps the callback of its first chunk() call for the whole stream, so it is one bound
  // function that collects into the current read's array.
  private records: string[][] = [];
  private wide = false;
  private readonly onRecord = (record: string[]): void => {
    if ((record[this.width - 1] ?? '').includes(this.delimiter)) this.wide = true;
    this.records.push(record);
  };
}

/** True when every CR is followed by LF and every LF follows a CR. */
function onlyCrlf(text: string): boolean {
  let crs = 0;
  for (let at = text.indexOf('\r'); at >= 0; at = text.indexOf('\r', at + 1)) {
    if (text.charCodeAt(at + 1) !== 10) return false;
    crs++;
  }
  let lfs = 0;
  for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lfs++;
  return crs === lfs;
}
