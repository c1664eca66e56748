import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAppLog } from '../../main/logging/app-log.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { findSplit } from '../../main/scoring/parallel-split.ts';
import { ScoringService, type ScoringServiceOptions } from '../../main/scoring/scoring-service.ts';
import type { CsvDialect } from '../../main/scoring/types.ts';
import { leadRowGenerator, seededRandom } from '../../scripts/generate-leads.ts';
import { leadHeader, sampleModel } from './helpers.ts';

/**
 * Big files are scored by two workers, one per half (parallel-split.ts). Each file here is scored
 * both ways (parallelMinBytes 1 and Infinity) and everything the user gets must be the same: the
 * output and errors files byte for byte, the counts, the report and its metrics.
 */
let dir: string;
let models: ModelService;
let modelId: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-parallel-'));
  models = new ModelService({ dataDir: path.join(dir, 'data') });
  modelId = (await models.open(sampleModel)).modelId;
});
afterAll(async () => {
  await models.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

const fill = {
  lead_source: { mode: 'fill', value: 'NA' },
  annual_income: { mode: 'fill', value: '0' },
} as const;
const utf8: CsvDialect = { encoding: 'utf-8', delimiter: ',', quote: '"', hasHeader: true };

/** Lead rows (no quotes); `edit` may rewrite row k (0-based, data rows only). */
function leadLines(rows: number, edit: (line: string, k: number) => string = (line) => line): string[] {
  const next = leadRowGenerator(11);
  return [leadHeader, ...Array.from({ length: rows }, (_, k) => edit(next(), k))];
}

function write(name: string, lines: string[], lineBreak = '\n'): string {
  const file = path.join(dir, name);
  writeFileSync(file, `${lines.join(lineBreak)}${lineBreak}`);
  return file;
}

async function scoreWith(input: string, options: ScoringServiceOptions, name: string) {
  const scoring = new ScoringService(models, options);
  const outputPath = path.join(dir, `${name}.csv`);
  const summary = await scoring.score({
    modelId,
    path: input,
    numberFormat: 'plain',
    missing: fill,
    outputPath,
    overwrite: true,
    threshold: 0.5,
    labelColumn: 'converted',
  });
  const errors = summary.errorsPath ? readFileSync(summary.errorsPath, 'utf8') : undefined;
  const { seconds: _seconds, rowsPerSecond: _rate, outputPath: _out, errorsPath: _errors, ...rest } = summary;
  return { output: readFileSync(outputPath, 'utf8'), errors, summary: rest };
}

/** The pre-run check (what the missing-value policy and the number format would do). */
function checkWith(input: string, options: ScoringServiceOptions) {
  return new ScoringService(models, options).check({
    modelId,
    path: input,
    numberFormat: 'plain',
    missing: fill,
  });
}

/** Checks and scores the file with one worker and with two, and expects identical results. */
async function expectSameBothWays(input: string) {
  const one = await scoreWith(input, { parallelMinBytes: Number.POSITIVE_INFINITY }, 'one');
  const two = await scoreWith(input, { parallelMinBytes: 1 }, 'two');
  expect(two.output).toBe(one.output);
  expect(two.errors).toBe(one.errors);
  expect(two.summary).toEqual(one.summary);
  const checkedOnce = await checkWith(input, { parallelMinBytes: Number.POSITIVE_INFINITY });
  expect(await checkWith(input, { parallelMinBytes: 1 })).toEqual(checkedOnce);
  expect(checkedOnce.rows).toBe(one.summary.rows);
  return one;
}

describe('two workers give what one gives', () => {
  test('a quote-free file: output, report and metrics', async () => {
    const input = write('plain.csv', leadLines(6000));
    expect(await findSplit(input, readFileSync(input).length, utf8)).toBeDefined();
    const one = await expectSameBothWays(input);
    expect(one.summary).toMatchObject({ rows: 6000, scored: 6000, failed: 0 });
    expect(one.summary.report.metrics?.rows).toBe(6000);
    expect(one.summary.report.metrics?.rocAuc).not.toBeNull();
  });

  test('bad rows on both sides of the cut keep their line numbers (with blank lines before it)', async () => {
    const lines = leadLines(6000, (line, k) => {
      const cells = line.split(',');
      if (k % 701 === 5) cells[2] = 'many'; // number_of_courses_viewed is a number
      if (k % 977 === 3) return cells.slice(0, 4).join(',');
      return cells.join(',');
    });
    lines.splice(100, 0, '', ''); // blank lines are skipped but still counted
    const input = write('errors.csv', lines);
    const split = await findSplit(input, readFileSync(input).length, utf8);
    expect(split).toBeDefined();
    const one = await expectSameBothWays(input);
    // Independently: the 1-based line of every bad row in the text.
    const bad = lines.flatMap((line, index) =>
      index > 0 && (line.split(',')[2] === 'many' || (line !== '' && line.split(',').length < 9))
        ? [index + 1]
        : [],
    );
    const reported = [
      ...new Set(
        (one.errors ?? '')
          .trim()
          .split('\n')
          .slice(1)
          .map((row) => Number(row.split(',')[0])),
      ),
    ];
    expect(reported).toEqual(bad);
    expect(bad.some((line) => line > (split?.line ?? 0))).toBe(true);
    expect(bad.some((line) => line < (split?.line ?? 0))).toBe(true);
  });

  test('only the second half has errors: the errors file still starts with its header', async () => {
    const input = write(
      'late-errors.csv',
      leadLines(6000, (line, k) => (k === 5500 ? line.replace(/^([^,]*,[^,]*,)\d+/, '$1x') : line)),
    );
    const one = await expectSameBothWays(input);
    expect(one.errors).toBe('line,column,value,reason\n5502,number_of_courses_viewed,x,is not a number\n');
  });

  test('CRLF line breaks', async () => {
    const input = write('crlf.csv', leadLines(6000), '\r\n');
    expect(await findSplit(input, readFileSync(input).length, utf8)).toBeDefined();
    await expectSameBothWays(input);
  });

  test('line breaks that change half-way: CRLF, then LF, lone CRs and bad rows on both sides of the cut', async () => {
    const lines = leadLines(6000, (line, k) =>
      k % 997 === 5 ? line.replace(/^([^,]*,[^,]*,)\d+/, '$1x') : line,
    );
    const text = lines.map((line, k) => `${line}${k < 2000 ? '\r\n' : k % 500 === 0 ? '\r' : '\n'}`).join('');
    const input = path.join(dir, 'mixed-breaks.csv');
    writeFileSync(input, text);
    const split = await findSplit(input, Buffer.byteLength(text), utf8);
    expect(split).toBeDefined();
    expect(split?.line).toBe(text.slice(0, split?.at).split(/\r\n|\n|\r/).length);
    const one = await expectSameBothWays(input);
    // Every row is read: the bad ones are errors on their own lines, the others are scored.
    const bad = lines.flatMap((_, k) => (k > 0 && (k - 1) % 997 === 5 ? [k + 1] : []));
    expect(
      (one.errors ?? '')
        .trim()
        .split('\n')
        .slice(1)
        .map((row) => Number(row.split(',')[0])),
    ).toEqual(bad);
    expect(one.summary).toMatchObject({ rows: 6000, scored: 6000 - bad.length, failed: bad.length });
  });

  test('quoted fields after the cut, one with a line break in it', async () => {
    const lines = leadLines(6000, (line, k) => {
      if (k < 4000 || k % 50 !== 0) return line;
      const cells = line.split(',');
      cells[1] = k % 100 === 0 ? '"retail, online"' : '"two\nlines"';
      return cells.join(',');
    });
    const input = write('quoted-late.csv', lines);
    expect(await findSplit(input, readFileSync(input).length, utf8)).toBeDefined();
    await expectSameBothWays(input);
  });

  test('quoted fields before the cut: delimiters, escaped quotes and line breaks inside them', async () => {
    const lines = leadLines(6000, (line, k) => {
      const cells = line.split(',');
      if (k % 37 === 0) cells[1] = '"retail, online"';
      if (k % 53 === 0) cells[5] = '"the ""EU"" office"';
      if (k % 61 === 0) cells[4] = '"two\nlines"';
      if (k % 701 === 5) cells[2] = 'many'; // an error row on each side, to check line numbers
      return cells.join(',');
    });
    const input = write('quoted-early.csv', lines);
    const split = await findSplit(input, readFileSync(input).length, utf8);
    expect(split).toBeDefined();
    // The cut follows a record: the text before it has an even number of quotes.
    const before = readFileSync(input, 'utf8').slice(0, split?.at);
    expect((before.match(/"/g) ?? []).length % 2).toBe(0);
    await expectSameBothWays(input);
  });

  test('a Windows-1252 file (what Excel saves as CSV on Windows) with accented text and quotes on both sides', async () => {
    const lines = leadLines(6000, (line, k) => {
      const cells = line.split(',');
      if (k % 41 === 0) cells[5] = k % 82 === 0 ? '"Zürich, Genève"' : 'Québec';
      return cells.join(',');
    });
    const input = path.join(dir, 'windows-1252.csv');
    writeFileSync(input, Buffer.from(`${lines.join('\r\n')}\r\n`, 'latin1'));
    const dialect = { ...utf8, encoding: 'windows-1252' } as const;
    expect(await findSplit(input, readFileSync(input).length, dialect)).toBeDefined();
    const one = await expectSameBothWays(input);
    expect(one.output).toContain('Zürich, Genève');
  });

  test.each(['utf-16le', 'utf-16be'] as const)(
    'a %s file (Excel\'s "Unicode Text") with quotes, and characters whose bytes look like line feeds or quotes',
    async (encoding) => {
      // U+0A22 is the bytes 22 0A (LE) / 0A 22 (BE): a quote and a line feed to a byte-level scan.
      const lines = leadLines(4000, (line, k) => {
        const cells = line.split(',');
        if (k % 29 === 0) cells[5] = 'ਢ\u0A0A city';
        if (k % 58 === 0) cells[1] = '"a\tb"';
        return cells.join('\t');
      });
      const text = `\ufeff${lines.join('\r\n').replaceAll(',', '\t')}\r\n`;
      const bytes = Buffer.from(text, 'utf16le');
      if (encoding === 'utf-16be') bytes.swap16();
      const input = path.join(dir, `${encoding}.csv`);
      writeFileSync(input, bytes);
      const split = await findSplit(input, bytes.length, { ...utf8, delimiter: '\t', encoding });
      expect(split).toBeDefined();
      expect((split?.at ?? 1) % 2).toBe(0);
      const one = await expectSameBothWays(input);
      expect(one.output).toContain('ਢ\u0A0A city');
    },
  );

  test.each(['utf-8', 'utf-16le'] as const)(
    'a %s line that starts with U+FEFF right at the cut keeps it',
    async (encoding) => {
      // Every data line starts with the character, so the second part's first line does too; only the
      // file's first one is a byte-order mark.
      const text = `\ufeff${leadLines(4000)
        .map((line, k) => (k === 0 ? line : `\ufeff${line}`))
        .join('\n')}\n`;
      const input = path.join(dir, `feff-${encoding}.csv`);
      writeFileSync(input, Buffer.from(text, encoding === 'utf-8' ? 'utf8' : 'utf16le'));
      const one = await expectSameBothWays(input);
      expect(one.output.split('\n')[1]?.startsWith('\ufeff')).toBe(true);
    },
  );

  test('a file with every field quoted (as CRM exports write it), with a BOM and CRLF', async () => {
    const lines = leadLines(6000).map((line) =>
      line
        .split(',')
        .map((cell) => `"${cell}"`)
        .join(','),
    );
    const text = `\ufeff${lines.join('\r\n')}\r\n`;
    const input = path.join(dir, 'all-quoted.csv');
    writeFileSync(input, text);
    expect(await findSplit(input, Buffer.byteLength(text), { ...utf8, encoding: 'utf-8-bom' })).toBeDefined();
    await expectSameBothWays(input);
    await expectSameBothWays(input);
  });

  test('random files: blank, short, long and bad rows, quoted fields anywhere, CRLF, a BOM, stray CRs', async () => {
    // A small version of 40-file runs made while writing this (MODELDOCK_PARALLEL_SEEDS=40): no difference.
    let cut = 0;
    const seeds = Number(process.env.MODELDOCK_PARALLEL_SEEDS ?? 8);
    for (let seed = 1; seed <= seeds; seed++) {
      const random = seededRandom(seed);
      const next = leadRowGenerator(seed);
      const rows = 500 + Math.floor(random() * 2500);
      const quotesFrom = random() < 0.6 ? Math.floor(rows * random()) : rows;
      const lines = [leadHeader];
      for (let k = 0; k < rows; k++) {
        let line = next();
        const roll = random();
        if (roll < 0.01) lines.push('');
        else if (roll < 0.02) line = line.split(',').slice(0, 5).join(',');
        else if (roll < 0.03) line = line.replace(/^([^,]*,[^,]*,)\d+/, '$1zz');
        else if (roll < 0.035) line += ',extra';
        if (k >= quotesFrom && random() < 0.05) {
          const cells = line.split(',');
          const pick = random();
          cells[1] =
            pick < 0.3 ? '"a, b"' : pick < 0.6 ? '"x\ny"' : pick < 0.8 ? '"say ""hi"""' : '5" screen';
          line = cells.join(',');
        }
        if (random() < 0.0005) line += '\r';
        lines.push(line);
      }
      const lineBreak = random() < 0.3 ? '\r\n' : '\n';
      const text = `${random() < 0.2 ? '\ufeff' : ''}${lines.join(lineBreak)}${random() < 0.8 ? lineBreak : ''}`;
      const input = path.join(dir, `random-${seed}.csv`);
      writeFileSync(input, text);
      const dialect = { ...utf8, encoding: text.startsWith('\ufeff') ? 'utf-8-bom' : 'utf-8' } as const;
      if (await findSplit(input, Buffer.byteLength(text), dialect)) cut++;
      await expectSameBothWays(input);
    }
    expect(cut).toBeGreaterThan(2);
    // 32 runs, each starting one or two workers (~0.4–1 s apiece on a busy 2-core machine).
  }, 120_000);

  test('workers that run out of heap: the run starts over with one worker', async () => {
    const input = write('small-heap.csv', leadLines(3000));
    const one = await scoreWith(input, { parallelMinBytes: Number.POSITIVE_INFINITY }, 'one');
    const warnings: string[] = [];
    const log = createAppLog({
      stderr: { level: 'warn', stacks: false, write: (line) => warnings.push(line) },
    });
    const two = await scoreWith(input, { parallelMinBytes: 1, parallelHeapMb: 1, log }, 'two');
    expect(warnings).toEqual([expect.stringContaining('ran out of memory')]);
    expect(two.output).toBe(one.output);
    expect(two.summary).toEqual(one.summary);
  });
});

describe('findSplit', () => {
  const split = async (text: string, dialect: Partial<CsvDialect> = {}) => {
    const file = path.join(dir, 'split.csv');
    writeFileSync(file, text);
    return findSplit(file, Buffer.byteLength(text), { ...utf8, ...dialect });
  };
  const body = `a,b\n${'1,2\n'.repeat(50)}`;

  test('cuts after the first line break past the middle and counts the lines before it', async () => {
    const result = await split(body);
    expect(result).toBeDefined();
    const at = result?.at ?? 0;
    expect(at).toBeGreaterThanOrEqual(body.length / 2);
    expect(body[at - 1]).toBe('\n');
    expect(result?.line).toBe(body.slice(0, at).split('\n').length);
  });

  test('refuses what could make the cut land inside a record or change line numbers', async () => {
    expect(await split(`"a"x,b\n${'1,2\n'.repeat(50)}`)).toBeUndefined(); // text after a closing quote
    expect(await split(`a,b\n1,"2\n${'1,2\n'.repeat(50)}`)).toBeUndefined(); // a quoted field never closed
    // With ' as the quote csv-parse still escapes with ", which the scan does not follow.
    expect(await split(`'a',b\n${'1,2\n'.repeat(50)}`, { quote: "'" })).toBeUndefined();
    expect(await split(`a,b\n${'1,"2\n\n\n"\n'.repeat(20)}`)).toBeDefined();
    expect(await split(body.replaceAll('\n', '\r'))).toBeUndefined(); // CR only: no line feed to cut after
    expect(await split('a,b\n1,2,3,4,5,6')).toBeUndefined(); // no line break after the middle
  });

  test('counts CRLF, LF and a lone CR as one line each, in any mix, inside quotes too', async () => {
    for (const text of [
      `a,b\r\n${'1,2\n'.repeat(50)}`,
      `a,b\n1\r2,3\n${'1,2\n'.repeat(50)}`,
      `a,b\r${'1,2\r\n'.repeat(10)}1,"x\r\ny\rz\n"\r${'"1",2\r'.repeat(10)}${'1,2\n'.repeat(40)}`,
    ]) {
      const result = await split(text);
      expect(result, JSON.stringify(text.slice(0, 20))).toBeDefined();
      expect(result?.line).toBe(text.slice(0, result?.at).split(/\r\n|\n|\r/).length);
    }
  });

  test('never cuts inside a quoted field, even one holding many line breaks past the middle', async () => {
    const text = `a,b\n${'1,2\n'.repeat(20)}1,"${'x\n'.repeat(40)}"\n${'1,2\n'.repeat(5)}`;
    const result = await split(text);
    expect(result).toBeDefined();
    const at = result?.at ?? 0;
    expect(at).toBeGreaterThan(text.lastIndexOf('"'));
    expect(result?.line).toBe(text.slice(0, at).split('\n').length);
  });

  test('a quote inside an unquoted field is text, as csv-parse reads it (relax_quotes)', async () => {
    expect(await split(`a,b\n${'5" screen,2\n'.repeat(50)}`)).toBeDefined();
  });

  test('a quote character is ordinary text with quote "none"', async () => {
    expect(await split(`"a",b\n${'1,2\n'.repeat(50)}`, { quote: 'none' })).toBeDefined();
  });
});

describe('cancel with two workers', () => {
  test('stops both and leaves no output, errors or part file', async () => {
    const lines = leadLines(60_000, (line, k) => (k % 5000 === 1 ? `${line},extra` : line));
    const input = write('cancel.csv', lines);
    const scoring = new ScoringService(models, { parallelMinBytes: 1 });
    const controller = new AbortController();
    const outputPath = path.join(dir, 'cancelled.csv');
    const error = await scoring
      .score(
        {
          modelId,
          path: input,
          numberFormat: 'plain',
          missing: fill,
          outputPath,
          overwrite: false,
          threshold: 0.5,
        },
        {
          signal: controller.signal,
          onProgress: (progress) => {
            if (progress.rows > 0) controller.abort();
          },
        },
      )
      .catch((caught: { code: string }) => caught);
    expect(error).toMatchObject({ code: 'cancelled' });
    expect(readdirSync(dir).filter((name) => name.includes('cancelled'))).toEqual([]);
  });
});
