import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import { readCsvRecords } from '../../main/scoring/csv-source.ts';
import { findSplit } from '../../main/scoring/parallel-split.ts';
import { ScoringService } from '../../main/scoring/scoring-service.ts';
import type { CsvDialect } from '../../main/scoring/types.ts';
import { seededRandom } from '../../scripts/generate-leads.ts';
import type { CsvEncoding } from '../../shared/contract/index.ts';
import { failure, leadHeader, repoRoot, sampleModel } from './helpers.ts';

/**
 * A row number is the line its record starts on (docs/batch-scoring.md), for good rows and for every
 * error the reader reports alike: an unclosed quote, invalid UTF-8, a NUL byte, a record over the size
 * limit (the file stops there), too many fields and text in a numeric column (the row goes to the
 * errors file). Each file here has quoted fields holding CRLF, LF and lone CR, rows ending in all
 * three at random, a few blank lines, and one broken record, whose line is counted by brute force in the bytes: one more than the line breaks before its first
 * byte, CRLF counting once. Read by the reader in pieces of several sizes, scored with one worker and
 * with two (the broken record in the second half, after the mixed breaks of the first), and scored by
 * `node bin/modeldock.mjs score`.
 */
type Kind =
  | 'unclosed quote'
  | 'invalid UTF-8'
  | 'NUL byte'
  | 'over-long record'
  | 'too many fields'
  | 'text in a numeric column';
const fileKinds: Kind[] = ['unclosed quote', 'invalid UTF-8', 'NUL byte'];
const rowKinds: Kind[] = ['too many fields', 'text in a numeric column'];

interface Shape {
  rows: number;
  seed: number;
  /** Where the broken record goes, as a share of the rows (the unclosed quote is always near the end). */
  brokenAt: number;
  /** Quoted fields with line breaks before the broken record (then csv-parse reads it, not the fast path). */
  multiLineBefore: boolean;
  /** The broken record itself spans lines: the bad byte or field is on a later line than its start. */
  brokenSpansLines: boolean;
  /** A bad byte (NUL, invalid UTF-8) is the record's first byte, right after the line break. */
  badFirst?: boolean;
}

interface BrokenFile {
  bytes: Buffer;
  /** The broken record's first byte. */
  offset: number;
  /** Its line, by brute force. */
  line: number;
}

const lineBreaks = ['\r\n', '\n', '\r'];
const sources = ['organic_search', 'social_media', 'paid_ads', 'referral', 'events'];
const industries = ['retail', 'finance', 'healthcare', 'education', 'technology'];

/** The file line of the byte at `offset`: one more than the LF and lone CR bytes before it. */
function bruteForceLine(bytes: Buffer, offset: number): number {
  let line = 1;
  for (let at = 0; at < offset; at++) {
    if (bytes[at] === 0x0a) line++;
    else if (bytes[at] === 0x0d && bytes[at + 1] !== 0x0a) line++;
  }
  return line;
}

function brokenFile(kind: Kind, shape: Shape): BrokenFile {
  const random = seededRandom(shape.seed);
  const pick = <T>(values: T[]): T => values[Math.floor(random() * values.length)] as T;
  const parts: Buffer[] = [];
  let size = 0;
  const add = (part: string | Buffer) => {
    const bytes = typeof part === 'string' ? Buffer.from(part, 'utf8') : part;
    parts.push(bytes);
    size += bytes.length;
  };
  /** A lead row's cells, no empty ones (so that only the broken row fails). */
  const cells = (multiLine: boolean): string[] => [
    pick(sources),
    multiLine ? `"${pick(industries)}${pick(lineBreaks)}dept ""${pick(lineBreaks)}"" 2"` : pick(industries),
    String(Math.floor(random() * 5)),
    String(20_000 + Math.floor(random() * 80_000)),
    'employed',
    'europe',
    String(Math.floor(random() * 7)),
    (Math.round(random() * 100) / 100).toString(),
    String(random() < 0.5 ? 1 : 0),
  ];
  const brokenIndex = kind === 'unclosed quote' ? shape.rows - 3 : Math.floor(shape.rows * shape.brokenAt);
  let offset = -1;
  add(`${leadHeader}${pick(lineBreaks)}`);
  for (let k = 0; k < shape.rows; k++) {
    const before = k < brokenIndex;
    // After an unclosed quote every row is inside it: a quote there would close it.
    const quotesAfter = kind !== 'unclosed quote';
    const multiLine = (before ? shape.multiLineBefore : quotesAfter) && random() < 0.15;
    // Now and then a blank line, which csv-parse skips (and the fast path hands over at).
    if (random() < 0.03) add(pick(lineBreaks));
    if (k !== brokenIndex) {
      add(`${cells(multiLine).join(',')}${pick(lineBreaks)}`);
      continue;
    }
    offset = size;
    const row = cells(shape.brokenSpansLines);
    const bad = (byte: number) => {
      // The bad byte in a cell on the record's last line (the location), or inside its multi-line field.
      const [head = '', tail = ''] = shape.brokenSpansLines ? ['', ''] : ['eur', 'ope'];
      if (shape.badFirst) {
        add(Buffer.from([byte]));
        add(row.join(','));
      } else if (shape.brokenSpansLines) {
        const industry = row[1] ?? '';
        add(`${row[0]},${industry.slice(0, -3)}`);
        add(Buffer.from([byte]));
        add(`${industry.slice(-3)},${row.slice(2).join(',')}`);
      } else {
        add(`${row.slice(0, 5).join(',')},${head}`);
        add(Buffer.from([byte]));
        add(`${tail},${row.slice(6).join(',')}`);
      }
    };
    if (kind === 'unclosed quote') add(`${row.slice(0, 4).join(',')},"employed,${row.slice(5).join(',')}`);
    else if (kind === 'invalid UTF-8') bad(0xff);
    else if (kind === 'NUL byte') bad(0x00);
    else if (kind === 'over-long record') add(`${row.join(',')}${'x'.repeat(2 * recordLimit)}`);
    else if (kind === 'too many fields') add(`${row.join(',')},extra`);
    else add(`${row.slice(0, 2).join(',')},two,${row.slice(3).join(',')}`);
    add(pick(lineBreaks));
  }
  const bytes = Buffer.concat(parts);
  return { bytes, offset, line: bruteForceLine(bytes, offset) };
}

/** What the error says the line is: the sentence and the details must agree. */
function reportedLine(error: { message: string; details?: unknown }): number {
  const inMessage = /line (\d+)\)/.exec(error.message)?.[1];
  expect(inMessage, error.message).toBeDefined();
  expect((error.details as { line?: number } | undefined)?.line).toBe(Number(inMessage));
  return Number(inMessage);
}

const messages: Partial<Record<Kind, RegExp>> = {
  'unclosed quote': /ends inside a quoted field \(line \d+\)/,
  'invalid UTF-8': /is not valid UTF-8 \(near line \d+\)/,
  'NUL byte': /contains NUL bytes \(first on line \d+\)/,
  'over-long record': /has a record longer than 4,000 characters \(line \d+\)/,
};
const reasons: Partial<Record<Kind, string>> = {
  'too many fields': 'has 10 fields; the header has 9',
  'text in a numeric column': 'is not a number',
};

let dir: string;
let models: ModelService;
let modelId: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-error-lines-'));
  models = new ModelService({ dataDir: path.join(dir, 'data') });
  modelId = (await models.open(sampleModel)).modelId;
});
afterAll(async () => {
  await models.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

let fileCount = 0;
function write(file: BrokenFile): string {
  const filePath = path.join(dir, `broken-${fileCount++}.csv`);
  writeFileSync(filePath, file.bytes);
  return filePath;
}

const dialect: CsvDialect = { encoding: 'utf-8', delimiter: ',', quote: '"', hasHeader: true };
const limits = { maxRecordChars: 64 * 1024 * 1024, maxColumns: 20_000 };
// The record-size limit lowered, so that an over-long record is a few KB.
const recordLimit = 4000;

describe('the reader reports a broken file on the line its record starts on', () => {
  const shapes: Array<[string, Shape]> = [
    [
      'fast path up to it',
      { rows: 60, seed: 1, brokenAt: 0.7, multiLineBefore: false, brokenSpansLines: false },
    ],
    [
      'csv-parse after multi-line fields',
      { rows: 60, seed: 2, brokenAt: 0.7, multiLineBefore: true, brokenSpansLines: false },
    ],
    [
      'first byte of a record, fast path up to it',
      { rows: 60, seed: 4, brokenAt: 0.7, multiLineBefore: false, brokenSpansLines: false, badFirst: true },
    ],
    [
      'first byte of a record, csv-parse after multi-line fields',
      { rows: 60, seed: 5, brokenAt: 0.7, multiLineBefore: true, brokenSpansLines: false, badFirst: true },
    ],
    [
      'inside its own multi-line field',
      { rows: 60, seed: 3, brokenAt: 0.7, multiLineBefore: true, brokenSpansLines: true },
    ],
  ];
  for (const kind of [...fileKinds, 'over-long record' as const]) {
    for (const [name, shape] of shapes) {
      if (shape.badFirst && (kind === 'unclosed quote' || kind === 'over-long record')) continue; // no bad byte
      test(`${kind}, ${name}`, async () => {
        for (let seed = 0; seed < 5; seed++) {
          const file = brokenFile(kind, { ...shape, seed: shape.seed * 100 + seed });
          const filePath = write(file);
          const encodings: CsvEncoding[] = kind === 'NUL byte' ? ['utf-8', 'windows-1252'] : ['utf-8'];
          for (const encoding of encodings) {
            // Pieces of 1 byte put a CRLF's halves, and the bad byte, in reads of their own.
            for (const highWaterMark of [1, 7, 64, 256 * 1024]) {
              const readLimits =
                kind === 'over-long record' ? { ...limits, maxRecordChars: recordLimit } : limits;
              const records = readCsvRecords(filePath, { ...dialect, encoding }, readLimits, undefined, {
                highWaterMark,
              });
              const error = await failure(
                (async () => {
                  for await (const _chunk of records);
                })(),
              );
              const where = `seed ${seed}, ${encoding}, pieces of ${highWaterMark}`;
              expect(error.message, where).toMatch(messages[kind] as RegExp);
              expect(reportedLine(error), where).toBe(file.line);
            }
          }
        }
      });
    }
  }
});

/** Scores through the scoring service (the scoring workers), with one worker or two. */
async function scoreWithService(filePath: string, workers: 1 | 2) {
  const scoring = new ScoringService(models, {
    parallelMinBytes: workers === 2 ? 1 : Number.POSITIVE_INFINITY,
  });
  return scoring.score({
    modelId,
    path: filePath,
    // Invalid UTF-8 in the first 256 KiB would make detection choose Windows-1252.
    dialect: { encoding: 'utf-8' },
    numberFormat: 'plain',
    outputPath: `${filePath}.${workers}.out.csv`,
    overwrite: true,
    threshold: 0.5,
  });
}

/** The errors file's line and reason columns (a value may hold line breaks: read as CSV). */
function errorLines(errorsPath: string | undefined): Array<{ line: number; reason: string }> {
  const rows = parseCsv(readFileSync(errorsPath ?? '', 'utf8'), { relax_column_count: true }) as string[][];
  return rows.slice(1).map((row) => ({ line: Number(row[0]), reason: row.at(-1) ?? '' }));
}

describe('scoring reports each error kind on the brute-force line, with one worker and with two', () => {
  // 7,000 rows are ~390 KB: the broken record is past the 256 KiB that detection reads, and the
  // two-worker cut (near the middle) comes after hundreds of multi-line fields and mixed line breaks.
  const big: Shape = { rows: 7000, seed: 7, brokenAt: 0.8, multiLineBefore: true, brokenSpansLines: true };
  // In the first 256 KiB, so a NUL byte is met while the file is inspected.
  const small: Shape = { rows: 200, seed: 8, brokenAt: 0.6, multiLineBefore: true, brokenSpansLines: true };
  for (const kind of [...fileKinds, ...rowKinds]) {
    for (const [size, shape] of [
      ['a 390 KB file', big],
      ['a small file', small],
    ] as const) {
      test(`${kind}, ${size}`, async () => {
        const file = brokenFile(kind, shape);
        const filePath = write(file);
        for (const workers of [1, 2] as const) {
          if (workers === 2 && shape === big) {
            const split = await findSplit(filePath, file.bytes.length, dialect);
            expect(split?.at, 'the second worker reads the broken record').toBeLessThan(file.offset);
          }
          const where = `${workers} worker(s)`;
          if (rowKinds.includes(kind)) {
            const summary = await scoreWithService(filePath, workers);
            expect(summary.failed, where).toBe(1);
            expect(errorLines(summary.errorsPath), where).toEqual([
              { line: file.line, reason: reasons[kind] },
            ]);
          } else {
            const error = await failure(scoreWithService(filePath, workers));
            expect(error.message, where).toMatch(messages[kind] as RegExp);
            expect(reportedLine(error), where).toBe(file.line);
          }
        }
      });
    }
  }
});

function modeldock(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/modeldock.mjs', ...args],
      {
        cwd: repoRoot,
        env: { ...process.env, MODELDOCK_DATA_DIR: path.join(dir, 'cli-data') },
        timeout: 110_000,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('`modeldock score` reports each error kind on the brute-force line', () => {
  // Over 4 MB, so the command scores it with two workers (on a machine with two cores or more).
  const padded: Shape = {
    rows: 80_000,
    seed: 9,
    brokenAt: 0.9,
    multiLineBefore: true,
    brokenSpansLines: true,
  };
  for (const kind of [...fileKinds, ...rowKinds]) {
    test(kind, { timeout: 120_000 }, async () => {
      const file = brokenFile(kind, padded);
      const filePath = write(file);
      expect(statSync(filePath).size).toBeGreaterThan(4 * 1024 * 1024);
      const split = await findSplit(filePath, file.bytes.length, dialect);
      expect(split?.at, 'the second worker reads the broken record').toBeLessThan(file.offset);
      const out = `${filePath}.cli.csv`;
      const run = await modeldock(
        'score',
        sampleModel,
        filePath,
        '--out',
        out,
        '--encoding',
        'utf-8',
        '--json',
      );
      if (rowKinds.includes(kind)) {
        expect(run.code, run.stderr).toBe(0);
        const summary = JSON.parse(run.stdout) as { failed: number; errorsPath: string };
        expect(summary.failed).toBe(1);
        expect(errorLines(summary.errorsPath)).toEqual([{ line: file.line, reason: reasons[kind] }]);
      } else {
        expect(run.code, run.stderr).toBe(4);
        expect(run.stderr).toMatch(messages[kind] as RegExp);
        expect(Number(/line (\d+)\)/.exec(run.stderr)?.[1])).toBe(file.line);
      }
    });
  }
});
