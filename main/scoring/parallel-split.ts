import { open } from 'node:fs/promises';
import type { CsvDialect } from './types.ts';

/** Where a file can be cut in two for two workers, and what the second part must know. */
export interface FileSplit {
  /** Byte offset of the second part: the byte after a line break. */
  at: number;
  /** Line number of the second part's first byte. */
  line: number;
  /** The line break of the first part, which csv-parse would have detected at the start of the file. */
  rowDelimiter: '\n' | '\r\n';
  /** The file's modification time when it was scanned: the workers check the file is still that file. */
  mtimeMs: number;
}

const scanChunkBytes = 1024 * 1024;
const lineFeed = 0x0a;
const carriageReturn = 0x0d;

/**
 * Finds a cut near the middle of the file that is certainly a record boundary, or returns undefined
 * (the file is then read by one worker). A line break ends a record unless it is inside a quoted
 * field, so the cut is only taken when everything before it has no quote character at all; and only
 * for UTF-8 (a line-feed byte can't be part of another character) with LF or CRLF line breaks, so
 * that counting LF bytes gives the line number the second part starts on.
 */
export async function findSplit(
  filePath: string,
  size: number,
  dialect: CsvDialect,
): Promise<FileSplit | undefined> {
  if (!dialect.encoding.startsWith('utf-8')) return undefined;
  const quote = dialect.quote === 'none' ? -1 : dialect.quote.charCodeAt(0);
  const middle = Math.floor(size / 2);
  const handle = await open(filePath, 'r');
  try {
    const { mtimeMs, size: sizeNow } = await handle.stat();
    if (sizeNow !== size) return undefined;
    const buffer = Buffer.allocUnsafe(scanChunkBytes);
    let lineFeeds = 0;
    let crlfs = 0; // line feeds right after a carriage return
    let carriageReturns = 0;
    let previous = -1; // the last byte of the previous chunk
    for (let offset = 0; offset < size; ) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(scanChunkBytes, size - offset), offset);
      if (bytesRead === 0) return undefined;
      const bytes = buffer.subarray(0, bytesRead);
      // Past the middle, the cut is the first line feed; only the bytes up to it must be quote-free.
      const cutIndex =
        offset + bytesRead > middle ? bytes.indexOf(lineFeed, Math.max(0, middle - offset)) : -1;
      const scanned = cutIndex >= 0 ? bytes.subarray(0, cutIndex + 1) : bytes;
      if (quote >= 0 && scanned.includes(quote)) return undefined;
      for (let at = scanned.indexOf(lineFeed); at >= 0; at = scanned.indexOf(lineFeed, at + 1)) {
        lineFeeds++;
        if ((at > 0 ? scanned[at - 1] : previous) === carriageReturn) crlfs++;
      }
      for (let at = scanned.indexOf(carriageReturn); at >= 0; at = scanned.indexOf(carriageReturn, at + 1)) {
        carriageReturns++;
      }
      if (cutIndex >= 0) {
        const at = offset + cutIndex + 1;
        // A CR that is not half of a CRLF is a line break for csv-parse, and LF and CRLF mixed
        // would make the second part's line break differ: both keep one worker.
        if (at >= size || carriageReturns !== crlfs || (crlfs !== 0 && crlfs !== lineFeeds)) return undefined;
        return { at, line: lineFeeds + 1, rowDelimiter: crlfs > 0 ? '\r\n' : '\n', mtimeMs };
      }
      previous = bytes[bytesRead - 1] ?? -1;
      offset += bytesRead;
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
