import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { leadRowGenerator } from '../../scripts/generate-leads.ts';
import { failure, leadHeader, scoringFixture } from './helpers.ts';

// A small cap stands in for the real 64-million-character limit, so the test needs no gigabytes.
const limits = { maxRecordChars: 1024 * 1024, maxColumns: 20_000 };
let fx: Awaited<ReturnType<typeof scoringFixture>>;
beforeAll(async () => {
  fx = await scoringFixture({ limits });
});
afterAll(async () => fx.close());

function write(name: string, content: string | Buffer): string {
  const file = fx.file(name);
  writeFileSync(file, content);
  return file;
}

function leads(rows: number, seed = 3): string {
  const next = leadRowGenerator(seed);
  return `${leadHeader}\n${Array.from({ length: rows }, next).join('\n')}\n`;
}

/** Scores in-process through the engine so a test can look at the files afterwards. */
async function scoreFile(input: string, extra: Record<string, unknown> = {}) {
  const outputPath = fx.file(`${path.basename(input)}.out.csv`);
  rmSync(outputPath, { force: true });
  return fx.scoring.score({
    ...fx.setup(input),
    outputPath,
    overwrite: false,
    threshold: 0.5,
    ...extra,
  });
}

/** Files left in the temp dir that look like partial output. */
const partialFiles = () => readdirSync(fx.dir).filter((name) => name.endsWith('.partial'));

describe('files that are not usable CSV', () => {
  test('an empty file', async () => {
    const error = await failure(fx.scoring.inspect(fx.setup(write('empty.csv', ''))));
    expect(error).toMatchObject({ code: 'empty-file', message: 'empty.csv is empty.' });
  });

  test('a header and no rows', async () => {
    const file = write('header-only.csv', `${leadHeader}\n`);
    const inspection = await fx.scoring.inspect(fx.setup(file));
    expect(inspection.preview).toEqual([]);
    const error = await failure(scoreFile(file));
    expect(error).toMatchObject({
      code: 'invalid-csv',
      message: 'header-only.csv has a header but no data rows.',
    });
    expect(existsSync(fx.file('header-only.csv.out.csv'))).toBe(false);
  });

  test('an unterminated quote names the line', async () => {
    const file = write(
      'quote.csv',
      `${leadHeader}\npaid_ads,retail,1,5000,employed,europe,1,0.5,1\n"events,retail,2,1,x,y,1,0.1,0\n`,
    );
    const error = await failure(scoreFile(file));
    expect(error.code).toBe('invalid-csv');
    expect(error.message).toMatch(/^quote\.csv ends inside a quoted field \(line 3\)/);
    expect(partialFiles()).toEqual([]);
  });

  test('a binary file', async () => {
    const bytes = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) % 256));
    const error = await failure(fx.scoring.inspect(fx.setup(write('image.csv', bytes))));
    expect(error.code).toBe('invalid-csv');
    expect(error.message).toMatch(/image\.csv (contains NUL bytes|looks like a binary file)/);
  });

  test('NUL bytes after the first chunk stop the run with the line', async () => {
    // Past the 256 KiB sample, so only the streaming check can see them.
    const file = write('nul.csv', `${leads(8000)}paid_ads,retail,1,5\u0000000,employed,europe,1,0.5,1\n`);
    const error = await failure(scoreFile(file));
    expect(error.code).toBe('invalid-csv');
    expect(error.message).toContain('nul.csv contains NUL bytes (first on line 8002)');
    expect(partialFiles()).toEqual([]);
  });

  test('a 100,000-column header', async () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}`).join(',');
    const error = await failure(fx.scoring.inspect(fx.setup(write('wide.csv', `${header}\n`))));
    expect(error).toMatchObject({ code: 'invalid-csv' });
    expect(error.message).toBe(
      'wide.csv has 100,000 columns; ModelDock reads files with at most 20,000 columns.',
    );
  });

  test('a line longer than the record limit (a "2 GB line" with the cap lowered to 1 MiB)', async () => {
    const file = write('long-line.csv', `${leadHeader}\n${'x'.repeat(3 * 1024 * 1024)}`);
    const error = await failure(scoreFile(file));
    expect(error.code).toBe('invalid-csv');
    expect(error.message).toMatch(/long-line\.csv has a record longer than 1 million characters/);
    expect(partialFiles()).toEqual([]);
  });
});

describe('rows that cannot be scored', () => {
  test('ragged rows and text in a numeric column go to the errors file, the rest is scored', async () => {
    const file = write(
      'mixed.csv',
      `${leadHeader}\npaid_ads,retail,1,79450,employed,europe,1,0.5,1\nevents,retail,2\nreferral,retail,two,50000,employed,asia,1,0.2,0\nreferral,retail,2,"1,234.5",employed,asia,1,0.2,0\n`,
    );
    const summary = await scoreFile(file);
    expect(summary).toMatchObject({ rows: 4, scored: 1, failed: 3 });
    expect(summary.failuresByReason).toEqual({
      'wrong number of fields': 1,
      'number_of_courses_viewed is not a number': 1,
      'annual_income has a thousands separator; choose the "1,234.5" number format to read it': 1,
    });
    const errors = readFileSync(summary.errorsPath!, 'utf8').trim().split('\n');
    expect(errors).toEqual([
      'line,column,value,reason',
      'line,column,value,reason'.replace(/.*/, '3,,"events,retail,2",has 3 fields; the header has 9'),
      '4,number_of_courses_viewed,two,is not a number',
      '5,annual_income,"1,234.5","has a thousands separator; choose the ""1,234.5"" number format to read it"',
    ]);
    const output = readFileSync(summary.outputPath, 'utf8').trim().split('\n');
    expect(output).toHaveLength(2);
  });

  test('the thousands-comma format reads what plain refuses', async () => {
    const file = write('thousands.csv', `${leadHeader}\nreferral,retail,2,"1,234.5",employed,asia,1,0.2,0\n`);
    const summary = await scoreFile(file, { numberFormat: 'thousands-comma' });
    expect(summary).toMatchObject({ scored: 1, failed: 0 });
  });
});

describe('the input changes during the run', () => {
  const big = () => write('big.csv', leads(60_000)); // ~3 MiB: several read chunks

  test('truncated mid-run: refused', async () => {
    const file = big();
    const job = await fx.engineJob(file, { outputTempPath: fx.file('trunc.partial') });
    const predict = fx.predictor(job);
    let first = true;
    const error = await failure(
      fx.runEngine(job, {
        predict: async (columns, rows) => {
          if (first) truncateSync(file, 1024 * 1024);
          first = false;
          return predict(columns, rows);
        },
      }),
    );
    expect(error).toMatchObject({ code: 'io-error' });
    expect(error.message).toMatch(/^big\.csv changed while it was being scored/);
  });

  test('deleted mid-run: refused', async () => {
    const file = big();
    const job = await fx.engineJob(file, { outputTempPath: fx.file('deleted.partial') });
    const predict = fx.predictor(job);
    let first = true;
    const error = await failure(
      fx.runEngine(job, {
        predict: async (columns, rows) => {
          if (first) unlinkSync(file);
          first = false;
          return predict(columns, rows);
        },
      }),
    );
    expect(error).toMatchObject({
      code: 'io-error',
      message: 'big.csv was deleted or moved while it was being scored; no output was written.',
    });
  });
});

describe('where the output goes', () => {
  test('output path equal to the input path, also through another spelling', async () => {
    const file = write('same.csv', leads(5));
    for (const outputPath of [file, path.join(fx.dir, '.', 'x', '..', 'same.csv')]) {
      const error = await failure(
        fx.scoring.score({ ...fx.setup(file), outputPath, overwrite: true, threshold: 0.5 }),
      );
      expect(error).toMatchObject({ code: 'output-is-input' });
    }
    expect(readFileSync(file, 'utf8')).toBe(leads(5));
  });

  test('an existing output is not replaced without overwrite', async () => {
    const file = write('exists.csv', leads(5));
    const outputPath = write('exists-out.csv', 'keep me');
    const error = await failure(
      fx.scoring.score({ ...fx.setup(file), outputPath, overwrite: false, threshold: 0.5 }),
    );
    expect(error).toMatchObject({ code: 'output-exists' });
    expect(readFileSync(outputPath, 'utf8')).toBe('keep me');
  });

  test('a read-only output folder', async () => {
    const file = write('ro.csv', leads(5));
    // root ignores permission bits, so as root use a folder the kernel refuses to create files in.
    const folder = process.getuid?.() === 0 ? '/sys' : fx.file('read-only');
    if (folder !== '/sys') {
      mkdirSync(folder);
      chmodSync(folder, 0o555);
    }
    const error = await failure(
      fx.scoring.score({
        ...fx.setup(file),
        outputPath: path.join(folder, 'out.csv'),
        overwrite: false,
        threshold: 0.5,
      }),
    );
    expect(error).toMatchObject({ code: 'io-error' });
    expect(error.message).toBe(
      `ModelDock can't write to the folder ${folder}; choose another output location.`,
    );
  });
});
