import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readCsvRecords } from '../../main/scoring/csv-source.ts';
import type { CsvDialect } from '../../main/scoring/types.ts';
import { runCliCaptured } from '../helpers/run-cli.ts';
import { repoRoot, sampleModel, scoringFixture } from './helpers.ts';

/**
 * A record ends at CRLF, LF or a lone CR, in any mix, and each is one line (main/scoring/line-breaks.ts):
 * a CRM export in CRLF with LF rows appended by hand must read as every row, not as one errored
 * record from the switch on. Two independent references: Python's csv module (the fixture files and
 * what it reads in them, scripts/fixtures/csv/make_line_ending_fixtures.py), and rows written here
 * with random line breaks, whose line numbers are counted by brute force in the text.
 */
const fixtures = path.join(repoRoot, 'tests/fixtures/csv/line-endings');
interface Expected {
  file: string;
  why: string;
  records: string[][];
  lines: number[];
  dataRows: number;
  errorLines: number[];
}
const expectedFiles = JSON.parse(readFileSync(path.join(fixtures, 'expected.json'), 'utf8')) as Expected[];

const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-line-endings-'));
process.env.MODELDOCK_DATA_DIR = path.join(dir, 'data');
let fx: Awaited<ReturnType<typeof scoringFixture>>;
beforeAll(async () => {
  fx = await scoringFixture();
});
afterAll(async () => {
  await fx.close();
  rmSync(dir, { recursive: true, force: true });
});

const dialect: CsvDialect = { encoding: 'utf-8', delimiter: ',', quote: '"', hasHeader: true };
const limits = { maxRecordChars: 64 * 1024 * 1024, maxColumns: 20_000 };

/** Records, start lines and how many came from the fast path, read in pieces of `highWaterMark` bytes. */
async function read(file: string, highWaterMark: number, fileDialect: CsvDialect = dialect) {
  const records: string[][] = [];
  const lines: number[] = [];
  let fast = 0;
  for await (const chunk of readCsvRecords(file, fileDialect, limits, undefined, { highWaterMark })) {
    records.push(...chunk.records);
    lines.push(...chunk.lines);
    fast += chunk.texts?.length ?? 0;
  }
  return { records, lines, fast };
}

describe("mixed line endings read as Python's csv module reads them", () => {
  for (const expected of expectedFiles) {
    test(`${expected.file}: ${expected.why}`, async () => {
      const file = path.join(fixtures, expected.file);
      const bytes = readFileSync(file);
      const dialectHere: CsvDialect = { ...dialect, encoding: bytes[0] === 0xef ? 'utf-8-bom' : 'utf-8' };
      // Small pieces put a CRLF's two halves in different reads; the default reads the file at once.
      for (const highWaterMark of [5, 64, 256 * 1024]) {
        const { records, lines } = await read(file, highWaterMark, dialectHere);
        expect(records.length, `pieces of ${highWaterMark}`).toBe(expected.records.length);
        expect(records, `pieces of ${highWaterMark}`).toEqual(expected.records);
        expect(lines, `pieces of ${highWaterMark}`).toEqual(expected.lines);
      }
    });

    test(`${expected.file}: scoring reads every row; the bad ones fail on their own lines`, async () => {
      const outputPath = fx.file(`scored-${expected.file}`);
      const summary = await fx.scoring.score({
        ...fx.setup(path.join(fixtures, expected.file)),
        outputPath,
        overwrite: true,
        threshold: 0.5,
      });
      expect(summary).toMatchObject({
        rows: expected.dataRows,
        scored: expected.dataRows - expected.errorLines.length,
        failed: expected.errorLines.length,
      });
      const errorLines = readFileSync(summary.errorsPath ?? '', 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => Number(row.split(',')[0]));
      expect(errorLines).toEqual(expected.errorLines);
    });
  }

  test('`modeldock score` on a CRLF export with LF rows appended: the summary counts every data row', async () => {
    const expected = expectedFiles.find((entry) => entry.file === 'crlf-then-lf.csv') as Expected;
    const out = path.join(dir, 'cli-scored.csv');
    const result = await runCliCaptured([
      'score',
      sampleModel,
      path.join(fixtures, expected.file),
      '--out',
      out,
      '--json',
    ]);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      rows: expected.dataRows,
      scored: expected.dataRows - expected.errorLines.length,
      failed: expected.errorLines.length,
    });
    expect(result.code).toBe(0);
  });
});

/** Writes a cell as a CSV writer would: quoted when it holds the delimiter, a quote or a line break. */
function writeCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

/** The file line of each record: one more than the CRLF, LF and lone CR before its first character. */
function bruteForceLine(text: string, offset: number): number {
  return text.slice(0, offset).split(/\r\n|\n|\r/).length;
}

describe('random rows written with random line endings read back as written', () => {
  const breaks = fc.constantFrom('\r\n', '\n', '\r');
  // Mostly plain cells (the fast path), some that need quotes, some holding line breaks of each kind.
  const cell = fc.oneof(
    { weight: 6, arbitrary: fc.stringMatching(/^[a-z0-9 .]{0,6}$/) },
    { weight: 1, arbitrary: fc.constantFrom('a,b', 'say "hi"', '""', ',') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.stringMatching(/^[a-z]{0,3}$/), breaks, fc.stringMatching(/^[a-z]{0,3}$/))
        .map(([a, lineBreak, b]) => `${a}${lineBreak}${b}`),
    },
  );
  const file = fc.integer({ min: 2, max: 5 }).chain((width) =>
    fc.record({
      rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { minLength: 1, maxLength: 40 }),
      ends: fc.array(breaks, { minLength: 40, maxLength: 40 }),
      finalBreak: fc.boolean(),
      highWaterMark: fc.integer({ min: 3, max: 80 }),
    }),
  );

  test('records equal the rows written, and each starts on its file line (brute force)', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(file, async ({ rows, ends, finalBreak, highWaterMark }) => {
        let text = '';
        const starts: number[] = [];
        rows.forEach((row, k) => {
          starts.push(bruteForceLine(text, text.length));
          text += row.map(writeCell).join(',');
          if (k < rows.length - 1 || finalBreak) text += ends[k] ?? '\n';
        });
        const path_ = path.join(dir, `random-${run++}.csv`);
        writeFileSync(path_, text);
        const { records, lines } = await read(path_, highWaterMark);
        expect(records).toEqual(rows);
        expect(lines).toEqual(starts);
      }),
      { numRuns: 300, seed: 20261206 },
    );
  });

  test('plain rows whose line breaks change half-way stay on the fast path', async () => {
    const rows = Array.from({ length: 2000 }, (_, k) => `r${k},${k},x`);
    for (const [first, then] of [
      ['\r\n', '\n'],
      ['\n', '\r\n'],
      ['\r', '\r\n'],
    ]) {
      const text = `a,b,c${first}${rows.map((row, k) => `${row}${k < 700 ? first : then}`).join('')}`;
      const file = path.join(dir, `switch-${JSON.stringify(first)}.csv`);
      writeFileSync(file, text);
      const { records, lines, fast } = await read(file, 4096);
      expect(records.length).toBe(2001);
      expect(records.at(-1)).toEqual(['r1999', '1999', 'x']);
      expect(lines.at(-1)).toBe(2001);
      expect(fast).toBe(2001);
    }
  });
});
