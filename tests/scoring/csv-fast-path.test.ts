import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, test } from 'vitest';
import { readCsvRecords } from '../../main/scoring/csv-source.ts';
import { PlainLineReader } from '../../main/scoring/plain-lines.ts';
import type { CsvDialect } from '../../main/scoring/types.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-fast-path-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const dialect: CsvDialect = { encoding: 'utf-8', delimiter: ',', quote: '"', hasHeader: true };
const limits = { maxRecordChars: 64 * 1024 * 1024, maxColumns: 20_000 };

/** Records and start lines as the engine sees them, read in small pieces so lines cross reads. */
async function read(text: string, highWaterMark = 16) {
  const file = path.join(dir, `f-${Math.random().toString(36).slice(2)}.csv`);
  writeFileSync(file, text);
  const records: string[][] = [];
  const lines: number[] = [];
  for await (const chunk of readCsvRecords(file, dialect, limits, undefined, { highWaterMark })) {
    records.push(...chunk.records);
    lines.push(...chunk.lines);
  }
  return { records, lines };
}

/** csv-parse over the whole text with the reader's options: what records must come out. */
function csvParse(text: string): string[][] {
  return parse(text, { relax_column_count: true, relax_quotes: true, skip_empty_lines: true, bom: true });
}

describe('the fast path gives csv-parse records and line numbers', () => {
  const body = Array.from({ length: 40 }, (_, k) => `r${k},${k},x${k}`);
  const cases: Record<string, string> = {
    'plain LF': `a,b,c\n${body.join('\n')}\n`,
    'plain CRLF, no final line break': `a,b,c\r\n${body.join('\r\n')}`,
    'a short row mid-file': `a,b,c\n${body.slice(0, 20).join('\n')}\nshort,row\n${body.slice(20).join('\n')}\n`,
    'a row with an extra field': `a,b,c\n${body.slice(0, 20).join('\n')}\n1,2,3,4\n${body.slice(20).join('\n')}\n`,
    'a blank line': `a,b,c\n${body.slice(0, 20).join('\n')}\n\n${body.slice(20).join('\n')}\n`,
    'a quoted field with a line break after plain lines': `a,b,c\n${body.slice(0, 20).join('\n')}\n"multi\nline",2,3\n${body.slice(20).join('\n')}\n`,
    'a lone LF inside a CRLF file': `a,b,c\r\n${body.slice(0, 20).join('\r\n')}\r\nx\ny,2,3\r\n${body.slice(20).join('\r\n')}\r\n`,
    'a BOM': `\uFEFFa,b,c\n${body.join('\n')}\n`,
  };
  for (const [name, text] of Object.entries(cases)) {
    test(name, async () => {
      const { records, lines } = await read(text);
      expect(records).toEqual(csvParse(text));
      expect(lines.length).toBe(records.length);
      expect(lines[0]).toBe(1);
      for (let k = 1; k < lines.length; k++) expect(lines[k]).toBeGreaterThan(lines[k - 1] ?? 0);
    });
  }

  test('line numbers count a quoted line break and a blank line', async () => {
    const text = 'a,b\n1,2\n"x\ny",3\n\n4,5\n';
    const { lines } = await read(text, 4);
    expect(lines).toEqual([1, 2, 3, 6]);
  });

  test('line numbers after csv-parse takes over mid-file continue from the fast path', async () => {
    const plain = Array.from({ length: 30 }, (_, k) => `${k},${k}`).join('\n');
    const text = `a,b\n${plain}\nshort\n\n"q\nq",1\n7,8\n`;
    const { records, lines } = await read(text, 32);
    expect(records.at(-3)).toEqual(['short']);
    expect(lines.slice(-3)).toEqual([32, 34, 36]);
  });

  test('an over-long line after plain lines gets the record-size message with its line', async () => {
    const file = path.join(dir, 'long.csv');
    writeFileSync(file, `a,b\n1,2\n3,${'x'.repeat(500)}\n`);
    const run = async () => {
      for await (const _ of readCsvRecords(
        file,
        dialect,
        { maxRecordChars: 100, maxColumns: 10 },
        undefined,
        {
          highWaterMark: 16,
        },
      ));
    };
    await expect(run()).rejects.toThrow(/longer than 100 characters \(line 3\)/);
  });
});

describe('PlainLineReader', () => {
  const reader = () =>
    PlainLineReader.forFileStart('a,b,c\n', { delimiter: ',', quote: '"', maxRecordChars: 1e6 });

  test('declines text it cannot vouch for', () => {
    expect(reader()?.read('1,2\n3,4,5\n')).toBeNull(); // short row joins the next line
    expect(reader()?.read('1,2,3,4\n')).toBeNull(); // extra field
    expect(reader()?.read('1,2,3\n\n4,5,6\n')).toBeNull(); // blank line
    expect(reader()?.read('1,"2",3\n')).toBeNull(); // a quote
    expect(reader()?.read('1,2\r,3\n')).toBeNull(); // a CR csv-parse would count as a line break
  });

  test('reads regular lines, and keeps reading after an earlier piece', () => {
    const fast = reader();
    expect(fast?.read('1,2,3\n')).toEqual({ records: [['1', '2', '3']], texts: ['1,2,3'] });
    expect(fast?.read('4,,6\n7,8,9\n')).toEqual({
      records: [
        ['4', '', '6'],
        ['7', '8', '9'],
      ],
      texts: ['4,,6', '7,8,9'],
    });
  });

  test('is not used for a quoted header, CR line breaks or a single column', () => {
    const options = { delimiter: ',', quote: '"', maxRecordChars: 1e6 } as const;
    expect(PlainLineReader.forFileStart('"a",b\n', options)).toBeUndefined();
    expect(PlainLineReader.forFileStart('a,b\r1,2\r', options)).toBeUndefined();
    expect(PlainLineReader.forFileStart('a\n1\n', options)).toBeUndefined();
  });
});
