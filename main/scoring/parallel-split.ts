import { open } from 'node:fs/promises';
import type { CsvDialect } from './types.ts';

/** Where a file can be cut in two for two workers, and what the second part must know. */
export interface FileSplit {
  /** Byte offset of the second part: the byte after a line break. */
  at: number;
  /** Line number of the second part's first byte. */
  line: number;
  /** The file's modification time when it was scanned: the workers check the file is still that file. */
  mtimeMs: number;
}

const scanChunkBytes = 1024 * 1024;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;
const doubleQuote = 0x22;
const followedEncodings = new Set<string>(['utf-8', 'utf-8-bom', 'windows-1252', 'utf-16le', 'utf-16be']);

/**
 * Where the scan is in csv-parse's terms: inside a quoted field or not, at the start of a field (the
 * only place a quote opens one), and whether the last byte was a quote inside a quoted field (the
 * next byte decides: a second quote is an escaped quote, anything else closes the field).
 */
interface QuoteState {
  inQuotes: boolean;
  fieldStart: boolean;
  quoteInQuotes: boolean;
}

/**
 * Finds a cut near the middle of the file (or the first after `near`) that is certainly a record boundary, or returns undefined
 * (the file is then read by one worker). A line break ends a record unless it is inside a quoted
 * field, so the bytes before the cut are followed as csv-parse reads them (relax_quotes): a quote at
 * the start of a field opens a quoted field, two quotes inside one are a quote, a quote inside an
 * unquoted field is text. Anything csv-parse would stop at or read another way keeps one worker: a
 * closing quote not followed by a delimiter or line break, a quoted field still open at the middle
 * and beyond. Another quote character than `"` before the cut keeps one worker too: csv-parse still
 * escapes with `"` then. UTF-8 and Windows-1252 are followed byte by byte (a line-feed or quote byte
 * can't be part of another character), UTF-16 by 2-byte code units. The cut is after a line feed;
 * the line breaks before it (CRLF, LF and lone CR in any mix, line-breaks.ts) give the line number
 * the second part starts on.
 */
export async function findSplit(
  filePath: string,
  size: number,
  dialect: CsvDialect,
  near: number = Math.floor(size / 2),
): Promise<FileSplit | undefined> {
  // UTF-16 is read in 2-byte code units; in UTF-8 and Windows-1252 no byte of another character is ASCII.
  if (!followedEncodings.has(dialect.encoding)) return undefined;
  const utf16 = dialect.encoding === 'utf-16le' || dialect.encoding === 'utf-16be';
  const unitBytes = utf16 ? 2 : 1;
  const quote = dialect.quote === 'none' ? -1 : dialect.quote.charCodeAt(0);
  const delimiter = dialect.delimiter.charCodeAt(0);
  const middle = near; // the first record boundary at or after this byte (a shard's cut: shards.ts)
  const handle = await open(filePath, 'r');
  try {
    const { mtimeMs, size: sizeNow } = await handle.stat();
    if (sizeNow !== size) return undefined;
    const buffer = Buffer.allocUnsafe(scanChunkBytes);
    const state: QuoteState = { inQuotes: false, fieldStart: true, quoteInQuotes: false };
    let lineFeeds = 0;
    let crlfs = 0; // line feeds right after a carriage return
    let carriageReturns = 0;
    let previous = -1; // the last byte of the previous chunk
    for (let offset = 0; offset < size; ) {
      const { bytesRead: read } = await handle.read(
        buffer,
        0,
        Math.min(scanChunkBytes, size - offset),
        offset,
      );
      const bytesRead = read - (read % unitBytes); // a last odd byte of a UTF-16 file is no character
      if (bytesRead === 0) return undefined;
      const bytes = buffer.subarray(0, bytesRead);
      const units = utf16 ? codeUnits(bytes, dialect.encoding === 'utf-16be') : bytes;
      const searchFrom = Math.max(0, Math.ceil((middle - offset) / unitBytes));
      let cutIndex: number; // index in `units` of the line feed to cut after, or -1
      if (!utf16 && !state.inQuotes && !state.quoteInQuotes && (quote < 0 || !bytes.includes(quote))) {
        // No quote here: every line feed ends a record (the common case, searched natively).
        cutIndex = offset + bytesRead > middle ? bytes.indexOf(lineFeed, searchFrom) : -1;
        const scanned = cutIndex >= 0 ? bytes.subarray(0, cutIndex + 1) : bytes;
        for (let at = scanned.indexOf(lineFeed); at >= 0; at = scanned.indexOf(lineFeed, at + 1)) {
          lineFeeds++;
          if ((at > 0 ? scanned[at - 1] : previous) === carriageReturn) crlfs++;
        }
        for (
          let at = scanned.indexOf(carriageReturn);
          at >= 0;
          at = scanned.indexOf(carriageReturn, at + 1)
        ) {
          carriageReturns++;
        }
        const last = scanned[scanned.length - 1];
        state.fieldStart = last === delimiter || last === lineFeed || last === carriageReturn;
      } else {
        // csv-parse's escape character stays `"` whatever the quote is; only `"` quoting is followed here.
        if (quote >= 0 && quote !== doubleQuote && units.includes(quote)) return undefined;
        // csv-parse drops a byte-order mark before reading the first field.
        const start = offset === 0 ? bomLength(units, utf16) : 0;
        const scan = { lineFeeds, crlfs, carriageReturns };
        cutIndex = scanQuoted(
          units,
          start,
          searchFrom,
          start > 0 ? -1 : previous,
          quote,
          delimiter,
          state,
          scan,
        );
        if (cutIndex === invalid) return undefined;
        ({ lineFeeds, crlfs, carriageReturns } = scan);
      }
      if (cutIndex >= 0) {
        const at = offset + (cutIndex + 1) * unitBytes;
        if (at >= size) return undefined;
        // Each LF is a line break, and each CR that is not half of a CRLF.
        return { at, line: lineFeeds + (carriageReturns - crlfs) + 1, mtimeMs };
      }
      previous = units[units.length - 1] ?? -1;
      offset += bytesRead;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}

/** UTF-16 code units of `bytes` (an even number of them), in the file's byte order. */
function codeUnits(bytes: Buffer, bigEndian: boolean): Uint16Array {
  const copy = Buffer.from(bytes); // a fresh, aligned buffer: Uint16Array needs an even offset
  if (bigEndian) copy.swap16();
  return new Uint16Array(copy.buffer, copy.byteOffset, copy.length / 2);
}

/** Units of a byte-order mark at the start of the file: U+FEFF in UTF-16, EF BB BF in UTF-8. */
function bomLength(units: Uint8Array | Uint16Array, utf16: boolean): number {
  if (utf16) return units[0] === 0xfeff ? 1 : 0;
  return units[0] === 0xef && units[1] === 0xbb && units[2] === 0xbf ? 3 : 0;
}

/** scanQuoted's answer when csv-parse would stop or read on in a way not followed here. */
const invalid = -2;

/**
 * Follows `bytes` from `start` as csv-parse reads them, counting line breaks into `counts`, and
 * returns the index of the first line feed at or after `searchFrom` that ends a record, -1 when there
 * is none in these bytes, or `invalid`. A function of its own with the state in locals, because it
 * runs over every byte of a quoted file (~2 ns a byte).
 */
function scanQuoted(
  bytes: Uint8Array | Uint16Array,
  start: number,
  searchFrom: number,
  previous: number,
  quote: number,
  delimiter: number,
  state: QuoteState,
  counts: { lineFeeds: number; crlfs: number; carriageReturns: number },
): number {
  let { inQuotes, fieldStart, quoteInQuotes } = state;
  let { lineFeeds, crlfs, carriageReturns } = counts;
  let before = previous;
  let cut = -1;
  for (let i = start; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    if (quoteInQuotes) {
      quoteInQuotes = false;
      if (byte === quote) {
        before = byte;
        continue; // an escaped quote
      }
      inQuotes = false; // the quote closed the field: only a delimiter or a line break may follow
      if (byte !== delimiter && byte !== lineFeed && byte !== carriageReturn) return invalid;
    } else if (inQuotes) {
      if (byte === quote) quoteInQuotes = true;
      else if (byte === lineFeed) {
        lineFeeds++;
        if (before === carriageReturn) crlfs++;
      } else if (byte === carriageReturn) carriageReturns++;
      before = byte;
      continue;
    }
    if (byte === quote && fieldStart) {
      inQuotes = true;
      fieldStart = false;
    } else if (byte === lineFeed) {
      lineFeeds++;
      if (before === carriageReturn) crlfs++;
      if (i >= searchFrom) {
        cut = i;
        break;
      }
      fieldStart = true;
    } else {
      // A lone CR ends a record too, so a quote right after it opens a field.
      if (byte === carriageReturn) carriageReturns++;
      fieldStart = byte === delimiter || byte === carriageReturn;
    }
    before = byte;
  }
  Object.assign(state, { inQuotes, fieldStart, quoteInQuotes });
  Object.assign(counts, { lineFeeds, crlfs, carriageReturns });
  return cut;
}
