import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { CsvError, type Parser, parse } from 'csv-parse';
import iconv from 'iconv-lite';
import { AppError } from '../errors.ts';
import { decoderName } from './csv-detect.ts';
import { countLineBreaks, lastLineBreakEnd, recordDelimiters, recordLineBreaks } from './line-breaks.ts';
import { PlainLineReader } from './plain-lines.ts';
import type { CsvDialect, ReadLimits } from './types.ts';

/** Records parsed from one chunk of the file, with the line each record starts on (1-based). */
export interface RecordChunk {
  records: string[][];
  lines: number[];
  /**
   * False while the file, up to the end of this chunk, has no quote character: then no field can
   * hold a delimiter, quote or line break, which lets the writer copy records without re-quoting.
   */
  quoted: boolean;
  /**
   * For records read on the fast path, a line the writer may copy as it is: exactly
   * `record.join(delimiter)`, with no `"`, CR or LF (the line as read, or a quoted line's fields
   * joined when none needs quotes). Undefined for a fast-path record whose cells may need quotes, and
   * absent, or shorter than `records`, for csv-parse's records.
   */
  texts?: Array<string | undefined>;
}

/**
 * A byte range of the file that starts at a record boundary (the two-worker split,
 * parallel-split.ts): `firstLine` is the line number of its first byte.
 */
export interface ReadRange {
  start?: number;
  end?: number;
  firstLine?: number;
}

export interface ReadProgress {
  bytesRead: number;
}

/**
 * Streams a CSV file as chunks of records: fs stream (256 KiB reads) → decoder → parser. Two
 * parsers share the work: while the file has regular lines and quotes only used simply (a quoted
 * field on one line, `""` inside it), the fast path splits it (PlainLineReader, about four times
 * faster); from the first piece of text it can't vouch for to the end of the file, csv-parse reads
 * it, as it reads any file whose start already rules the fast path out (a header with a stray or
 * multi-line quote). Both give the same records and line numbers, and both end a record at CRLF, LF
 * or a lone CR in any mix (line-breaks.ts). Records are yielded
 * per chunk, so memory holds one chunk's records at a time and the consumer's pace (inference,
 * writing) throttles reading.
 */
export async function* readCsvRecords(
  filePath: string,
  dialect: CsvDialect,
  limits: ReadLimits,
  progress: ReadProgress = { bytesRead: 0 },
  options: ReadRange & { highWaterMark?: number } = {},
): AsyncGenerator<RecordChunk> {
  const fileName = path.basename(filePath);
  const quoteChar = dialect.quote === 'none' ? undefined : dialect.quote;
  const records: string[][] = [];
  const lines: number[] = [];
  let quoted = false;
  let texts: Array<string | undefined> = [];
  const take = (): RecordChunk => {
    const chunk: RecordChunk = { records: records.splice(0), lines: lines.splice(0), quoted };
    // Fast-path records come first in a chunk: csv-parse only takes over, never hands back.
    if (texts.length > 0) chunk.texts = texts;
    texts = [];
    return chunk;
  };

  // csv-parse, created when it takes over. `lineOffset` is the number of lines uDSV read before it.
  let parser: Parser | undefined;
  let lineOffset = (options.firstLine ?? 1) - 1;
  let parseError: unknown;
  const startCsvParse = (atFileStart: boolean): Parser => {
    const csv = parse({
      delimiter: dialect.delimiter,
      quote: dialect.quote === 'none' ? false : dialect.quote,
      relax_column_count: true, // ragged rows become per-row errors, not a failed file
      relax_quotes: true, // a stray quote inside an unquoted field (5" screen) is text
      skip_empty_lines: true,
      bom: atFileStart,
      max_record_size: limits.maxRecordChars,
      // All three, not the one csv-parse would detect first: a file whose line breaks change
      // half-way would otherwise read as one errored record from the change on.
      record_delimiter: recordDelimiters,
    });
    // The line the next record starts on, relative to lineOffset. Counted here rather than from
    // csv-parse's info.lines, which counts a CRLF inside a quoted field as two lines.
    let nextLine = 1;
    let lastEmptyLines = 0;
    csv.on('data', (record: string[]) => {
      // A record starts after the previous one and any blank lines csv-parse skipped in between.
      const emptyLines = csv.info.empty_lines;
      const line = nextLine + (emptyLines - lastEmptyLines);
      lastEmptyLines = emptyLines;
      nextLine = line + 1 + recordLineBreaks(record);
      lines.push(lineOffset + line);
      records.push(record);
    });
    csv.on('error', (error) => {
      parseError = error;
    });
    return csv;
  };

  // uDSV's state: undefined before the first chunk is seen, null once csv-parse has taken over.
  let plain: PlainLineReader | undefined | null;
  let pending = ''; // text after the last line break, for the next chunk
  let plainLines = (options.firstLine ?? 1) - 1;
  const currentLine = () => (parser ? lineOffset + parser.info.lines : plainLines + 1);
  // True when csv-parse reads the UTF-8 file from its first byte: then bytes go to it as they are.
  let rawBytesToCsv = false;
  const handOver = (text: string, fileStartBytes?: Buffer) => {
    lineOffset = plainLines;
    // A byte-order mark only at the start of the file (uDSV read nothing yet, the range starts at 0).
    parser = startCsvParse(plain === undefined && !options.start);
    plain = null;
    pending = '';
    if (quoteChar !== undefined && text.includes(quoteChar)) quoted = true;
    if (fileStartBytes) {
      rawBytesToCsv = true;
      parser.write(fileStartBytes);
    } else if (text.length > 0) parser.write(Buffer.from(text, 'utf8'));
  };
  const readPlain = (reader: PlainLineReader, before: string, chunkText: string, atEnd: boolean) => {
    if (!atEnd && !chunkText.includes('\n') && !chunkText.includes('\r')) {
      // Still inside one long line: keep it as a rope rather than searching it again and again.
      pending = before + chunkText;
      if (pending.length * 3 >= limits.maxRecordChars) handOver(pending);
      return;
    }
    const text = before + chunkText;
    const cut = Math.max(0, lastLineBreakEnd(text, atEnd));
    let complete = text.slice(0, cut);
    let rest = text.slice(cut);
    if (atEnd && rest.length > 0) {
      // The last line has no line break; csv-parse reads it as the same record as with one.
      complete = `${text}\n`;
      rest = '';
    }
    const read = complete.length > 0 ? reader.read(complete) : { records: [], texts: [], quoted: false };
    if (read === null || rest.length * 3 >= limits.maxRecordChars) {
      handOver(text);
      return;
    }
    const count = read.records.length;
    // Records from quoted text may have cells that need quotes again: the writer must look at them.
    if (read.quoted) quoted = true;
    for (let k = 0; k < count; k++) {
      records.push(read.records[k] as string[]);
      texts.push(read.texts[k]);
      lines.push(plainLines + k + 1);
    }
    plainLines += count;
    pending = rest;
  };
  // The start of the file until it holds a line break: the fast path decides on a whole first line
  // (its width, its quotes), also when reads are small.
  let startText = '';
  const startBytes: Buffer[] = [];
  /** Routes decoded text: to the fast path while it can take it, else to csv-parse. */
  const feedText = (chunkText: string, atEnd: boolean, fileStartBytes?: Buffer) => {
    if (plain === undefined) {
      startText += chunkText;
      if (fileStartBytes) startBytes.push(fileStartBytes);
      // A CR at the end may be half of a CRLF: the next read tells.
      const lineBreak = /\n|\r(?!$)/.test(chunkText);
      const wait = !atEnd && !lineBreak && startText.length * 3 < limits.maxRecordChars;
      if (wait) return;
      // A byte-order mark only at the start of the file; a part read from its middle keeps every character.
      const atFileStart = !options.start;
      const text = atFileStart && startText.charCodeAt(0) === 0xfeff ? startText.slice(1) : startText;
      const bytes = startBytes.length > 0 ? Buffer.concat(startBytes.splice(0)) : undefined;
      startText = '';
      plain = PlainLineReader.forFileStart(text, {
        delimiter: dialect.delimiter,
        quote: quoteChar,
        maxRecordChars: limits.maxRecordChars,
      });
      if (!plain) {
        handOver(text, bytes);
        return;
      }
      readPlain(plain, '', text, atEnd);
      return;
    }
    if (plain) readPlain(plain, pending, chunkText, atEnd);
    else if (parser && chunkText.length > 0) parser.write(Buffer.from(chunkText, 'utf8'));
  };

  const stream = createReadStream(filePath, {
    highWaterMark: options.highWaterMark ?? 256 * 1024,
    start: options.start,
    // fs counts `end` inclusively; an empty range can't be expressed, and a part is never empty.
    end: options.end === undefined ? undefined : options.end - 1,
  });
  const isUtf8Encoding = dialect.encoding.startsWith('utf-8');
  const decoder = isUtf8Encoding
    ? undefined
    : iconv.getDecoder(decoderName(dialect.encoding), { stripBOM: !options.start });
  const utf8Text = isUtf8Encoding ? new StringDecoder('utf8') : undefined;
  const utf8 = new Utf8Check(fileName);
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      progress.bytesRead += raw.length;
      if (decoder) {
        const text = decoder.write(raw);
        const nul = text.indexOf('\u0000');
        if (nul >= 0) assertNoNul(nul, fileName, currentLine() + countLineBreaks(text, 0, nul));
        feedText(text, false);
        if (quoteChar !== undefined && !quoted && parser) quoted = text.includes(quoteChar);
      } else {
        const nul = raw.indexOf(0);
        if (nul >= 0)
          assertNoNul(nul, fileName, currentLine() + countLineBreaks(raw.toString('latin1', 0, nul)));
        utf8.check(raw, currentLine);
        if (rawBytesToCsv && parser) parser.write(raw);
        else feedText(utf8Text?.write(raw) ?? '', false, plain === undefined ? raw : undefined);
        if (quoteChar !== undefined && !quoted && parser) quoted = raw.includes(quoteChar);
      }
      if (parseError) throw describeParseError(parseError, fileName, limits, lineOffset);
      if (records.length > 0) yield take();
    }
    utf8.end(currentLine);
    feedText(decoder ? (decoder.end() ?? '') : '', true);
    // csv-parse reports errors asynchronously; one from the last write has destroyed it, and then
    // it would never emit 'end'.
    if (parseError) throw describeParseError(parseError, fileName, limits, lineOffset);
    if (parser && !parser.destroyed) {
      const csv = parser;
      await new Promise<void>((resolve) => {
        csv.once('end', resolve);
        csv.once('error', () => resolve());
        csv.end();
        csv.resume();
      });
    }
    if (parseError) throw describeParseError(parseError, fileName, limits, lineOffset);
    if (records.length > 0) yield take();
  } finally {
    stream.destroy();
    parser?.destroy();
  }
}

/**
 * Detection looks at the first 256 KiB only; a file that is ASCII there and has Windows-1252 bytes
 * further down would otherwise be read with replacement characters, silently. Each chunk is checked
 * with Buffer's native UTF-8 validator; a character cut at a chunk boundary is carried to the next.
 */
class Utf8Check {
  private carry: Buffer | undefined;

  constructor(private readonly fileName: string) {}

  check(chunk: Buffer, line: () => number): void {
    const bytes = this.carry ? Buffer.concat([this.carry, chunk]) : chunk;
    const end = completeUtf8End(bytes);
    this.carry = end < bytes.length ? Buffer.from(bytes.subarray(end)) : undefined;
    if (!isUtf8(bytes.subarray(0, end))) this.fail(line());
  }

  end(line: () => number): void {
    if (this.carry) this.fail(line());
  }

  private fail(line: number): never {
    throw new AppError(
      'invalid-csv',
      `${this.fileName} is not valid UTF-8 (near line ${line}); choose the encoding it was saved in, such as Windows-1252.`,
      { line },
    );
  }
}

/** Length of the prefix that ends on a whole UTF-8 character (drops an incomplete last sequence). */
function completeUtf8End(bytes: Buffer): number {
  const length = bytes.length;
  for (let back = 1; back <= 3 && back <= length; back++) {
    const byte = bytes[length - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) {
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
      return needed > back ? length - back : length;
    }
    return length;
  }
  return length;
}

function assertNoNul(index: number, fileName: string, line: number): void {
  if (index < 0) return;
  throw new AppError(
    'invalid-csv',
    `${fileName} contains NUL bytes (first on line ${line}), so it is a binary file or damaged, not a CSV text file.`,
    { line },
  );
}

/** csv-parse errors, rewritten as one sentence about the file. */
export function describeParseError(
  error: unknown,
  fileName: string,
  limits: ReadLimits,
  lineOffset = 0,
): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof CsvError) {
    const local = (error as CsvError & { lines?: number }).lines;
    const line = local ? local + lineOffset : local;
    const where = line ? ` (line ${line})` : '';
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new AppError(
          'invalid-csv',
          `${fileName} ends inside a quoted field${where}: a quote is opened and never closed, so the file is cut short or its quoting is broken.`,
          { line, csvCode: error.code },
        );
      case 'CSV_MAX_RECORD_SIZE':
        return new AppError(
          'invalid-csv',
          `${fileName} has a record longer than ${formatChars(limits.maxRecordChars)}${where}; a CSV line that long means the file is not a CSV or has no line breaks.`,
          { line, limit: limits.maxRecordChars, csvCode: error.code },
        );
      default:
        return new AppError('invalid-csv', `${fileName} can't be read as CSV${where}: ${error.message}`, {
          line,
          csvCode: error.code,
        });
    }
  }
  return new AppError(
    'io-error',
    `${fileName} could not be read: ${(error as Error).message ?? String(error)}.`,
  );
}

function formatChars(count: number): string {
  if (count >= 1024 * 1024) return `${Math.round(count / (1024 * 1024))} million characters`;
  return `${count.toLocaleString('en-US')} characters`;
}
