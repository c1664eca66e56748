/**
 * The CSV reader's one line-break rule. A record ends at CRLF, LF or a lone CR, in any mix: files
 * are appended to by other tools (a CRM export in CRLF with LF rows added by hand), and old Mac
 * exports end lines in CR only. Each of the three is one line break, also inside a quoted field, so
 * a row's number is the line it starts on as an editor shows it (VS Code, Notepad++ and Python's
 * csv module, newline='', count the same way). A quoted field keeps the line breaks it holds as
 * they are in the file.
 */

/** csv-parse's record_delimiter: CRLF first, so that a CR followed by LF is one line break. */
export const recordDelimiters: string[] = ['\r\n', '\n', '\r'];

const lineFeed = 10;
const carriageReturn = 13;

/** Line breaks in text[start, end): each LF, and each CR not followed by LF. */
export function countLineBreaks(text: string, start = 0, end = text.length): number {
  let count = 0;
  for (let at = text.indexOf('\n', start); at >= 0 && at < end; at = text.indexOf('\n', at + 1)) count++;
  for (let at = text.indexOf('\r', start); at >= 0 && at < end; at = text.indexOf('\r', at + 1)) {
    if (text.charCodeAt(at + 1) !== lineFeed) count++;
  }
  return count;
}

/** Line breaks inside a record's fields (quoted fields are the only ones that can hold one). */
export function recordLineBreaks(record: readonly string[]): number {
  let count = 0;
  for (const field of record) {
    if (field.includes('\n') || field.includes('\r')) count += countLineBreaks(field);
  }
  return count;
}

/**
 * End (exclusive) of the last complete line break in `text`, or -1. Unless `atEnd`, a CR that is
 * the last character may be half of a CRLF whose LF comes with the next read, so it doesn't count.
 */
export function lastLineBreakEnd(text: string, atEnd: boolean): number {
  const limit =
    !atEnd && text.charCodeAt(text.length - 1) === carriageReturn ? text.length - 2 : text.length - 1;
  if (limit < 0) return -1;
  const at = Math.max(text.lastIndexOf('\n', limit), text.lastIndexOf('\r', limit));
  return at < 0 ? -1 : at + 1;
}

/**
 * Finds where lines start in bytes read in chunks (an ASCII-compatible encoding: LF and CR bytes are
 * never part of another character). `scan` reports the offset of each byte that follows a line break.
 */
export class LineStartScanner {
  private position = 0;
  private carriageReturnAtEnd = false;

  /** Calls `onLineStart` with each line start in this chunk, in order, until it returns false. */
  scan(bytes: Uint8Array, onLineStart: (offset: number) => boolean): void {
    const base = this.position;
    this.position += bytes.length;
    let go = true;
    if (this.carriageReturnAtEnd && bytes.length > 0) {
      this.carriageReturnAtEnd = false;
      if (bytes[0] !== lineFeed) go = onLineStart(base);
    }
    let lf = bytes.indexOf(lineFeed);
    let cr = bytes.indexOf(carriageReturn);
    while (go && (lf >= 0 || cr >= 0)) {
      if (cr >= 0 && (lf < 0 || cr < lf)) {
        if (cr + 1 === bytes.length) this.carriageReturnAtEnd = true;
        else if (bytes[cr + 1] !== lineFeed) go = onLineStart(base + cr + 1);
        cr = bytes.indexOf(carriageReturn, cr + 1);
      } else {
        go = onLineStart(base + lf + 1);
        lf = bytes.indexOf(lineFeed, lf + 1);
      }
    }
  }
}
