import iconv from 'iconv-lite';
import type { CsvDelimiter, CsvDialect, CsvEncoding } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { countLineBreaks } from './line-breaks.ts';

/** Bytes read from the start of a file to detect its encoding and dialect and build the preview. */
export const sampleBytes = 256 * 1024;

/** Encoding from the byte-order mark; without one, UTF-8 if the sample decodes strictly, else Windows-1252. */
export function detectEncoding(sample: Uint8Array, isWholeFile: boolean): CsvEncoding {
  if (sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) return 'utf-8-bom';
  if (sample[0] === 0xff && sample[1] === 0xfe) return 'utf-16le';
  if (sample[0] === 0xfe && sample[1] === 0xff) return 'utf-16be';
  // A multi-byte character may be cut at the end of the sample; drop up to 3 trailing bytes before judging.
  const end = isWholeFile ? sample.length : trimIncompleteUtf8(sample);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, end));
    return 'utf-8';
  } catch {
    return 'windows-1252';
  }
}

function trimIncompleteUtf8(bytes: Uint8Array): number {
  let end = bytes.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = bytes[end - back] ?? 0;
    if ((byte & 0xc0) === 0x80) continue; // continuation byte: keep looking for the lead byte
    if (byte >= 0xc0) end -= back; // a lead byte whose sequence may be incomplete
    break;
  }
  return end;
}

/** Bytes the byte-order mark takes for an encoding. */
export function bomLength(encoding: CsvEncoding): number {
  if (encoding === 'utf-8-bom') return 3;
  if (encoding === 'utf-16le' || encoding === 'utf-16be') return 2;
  return 0;
}

/** iconv-lite's name for an encoding (BOMs are stripped by us, not by the decoder). */
export function decoderName(encoding: CsvEncoding): string {
  if (encoding === 'utf-8-bom') return 'utf-8';
  return encoding;
}

/** Decodes a sample, without its BOM and without a possibly cut last character. */
export function decodeSample(sample: Uint8Array, encoding: CsvEncoding): string {
  const body = Buffer.from(sample.buffer, sample.byteOffset, sample.byteLength).subarray(bomLength(encoding));
  const decoder = iconv.getDecoder(decoderName(encoding), { stripBOM: false });
  return decoder.write(body);
}

/**
 * Refuses what is clearly not text: NUL characters never occur in a CSV export, and a high share
 * of control characters means an image, archive or spreadsheet file renamed .csv.
 */
export function assertLooksLikeText(text: string, fileName: string): void {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = countLines(text, nul);
    throw new AppError(
      'invalid-csv',
      `${fileName} contains NUL bytes (first on line ${line}), so it is a binary file or damaged, not a CSV text file.`,
      { line },
    );
  }
  let control = 0;
  const length = Math.min(text.length, 64 * 1024);
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 32 && code !== 9 && code !== 10 && code !== 13) || code === 0xfffd) control++;
  }
  if (length > 0 && control / length > 0.05) {
    throw new AppError('invalid-csv', `${fileName} looks like a binary file, not a CSV text file.`);
  }
}

/** The line `upTo` is on (line-breaks.ts: CRLF, LF and a lone CR are one line break each). */
export function countLines(text: string, upTo: number): number {
  return 1 + countLineBreaks(text, 0, upTo);
}

const delimiters: CsvDelimiter[] = [',', ';', '\t', '|'];

/**
 * Splits the sample's first lines with a quote-aware scanner for each candidate delimiter and keeps
 * the one that gives the same number (>1) of fields on most lines, preferring more fields.
 */
export function detectDelimiter(text: string, quote: string): CsvDelimiter {
  let best: { delimiter: CsvDelimiter; score: number } = { delimiter: ',', score: 0 };
  for (const delimiter of delimiters) {
    const counts = fieldCounts(text, delimiter, quote, 50);
    if (counts.length === 0) continue;
    const first = counts[0] ?? 1;
    if (first < 2) continue;
    const consistent = counts.filter((count) => count === first).length / counts.length;
    const score = consistent * 1000 + first;
    if (score > best.score) best = { delimiter, score };
  }
  return best.delimiter;
}

/** Field counts of the first `maxRecords` records (the last, possibly cut, record is ignored). */
function fieldCounts(text: string, delimiter: string, quote: string, maxRecords: number): number[] {
  const counts: number[] = [];
  let fields = 1;
  let inQuotes = false;
  for (let i = 0; i < text.length && counts.length < maxRecords; i++) {
    const char = text[i];
    if (quote && char === quote) inQuotes = !inQuotes;
    else if (inQuotes) continue;
    else if (char === delimiter) fields++;
    else if (char === '\n' || (char === '\r' && text[i + 1] !== '\n')) {
      // A record ends at LF, CRLF (its LF) or a lone CR (line-breaks.ts).
      counts.push(fields);
      fields = 1;
    }
  }
  return counts;
}

const numberLike = /^\s*[+-]?(\d[\d,.]*|\.\d+)([eE][+-]?\d+)?\s*$/;

/** A first row is a header unless one of its cells is a number or it repeats a name. */
export function detectHeader(firstRow: string[]): boolean {
  if (firstRow.length === 0) return false;
  if (firstRow.some((cell) => numberLike.test(cell))) return false;
  return new Set(firstRow).size === firstRow.length;
}

export function describeDialect(dialect: CsvDialect): string {
  const delimiterName = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe' }[dialect.delimiter];
  return `${dialect.encoding}, ${delimiterName}-separated, ${dialect.hasHeader ? 'with' : 'without'} a header`;
}
