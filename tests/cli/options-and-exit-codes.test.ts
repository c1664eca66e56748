import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCliCaptured } from './../helpers/run-cli.ts';

const root = path.resolve(import.meta.dirname, '../..');
const sample = path.join(root, 'assets/models/lead_scoring.onnx');
const leadCsv = path.join(root, 'assets/data/course_lead_scoring.csv');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-cli-options-'));
const previousDataDir = process.env.MODELDOCK_DATA_DIR;
process.env.MODELDOCK_DATA_DIR = path.join(dir, 'data');
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  if (previousDataDir === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = previousDataDir;
});

function cli(...argv: string[]) {
  return runCliCaptured(argv);
}

const inputsList = 'inputs: lead_source, number_of_courses_viewed, annual_income';

describe('--expect takes only an MD5 or SHA-256', () => {
  test.each([
    ['inspect', 'hello'],
    ['inspect', '0000'],
    ['export', '0000'],
  ])('%s --expect %s exits 2 with the schema message', async (command, value) => {
    const extra = command === 'export' ? ['--out', path.join(dir, 'bundle-expect')] : [];
    const run = await cli(command, sample, ...extra, '--expect', value);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      `--expect "${value}": expected an MD5 (32 hex digits) or SHA-256 (64 hex digits), or a line as sha256sum or md5sum print it`,
    );
  });

  test('a well-formed checksum that does not match still exits 3', async () => {
    const run = await cli('inspect', sample, '--expect', 'a'.repeat(64));
    expect(run.code).toBe(3);
  });
});

describe('export target problems are usage errors', () => {
  test('an existing target without --force exits 2 and is left alone', async () => {
    const target = path.join(dir, 'existing-bundle');
    mkdirSync(target);
    writeFileSync(path.join(target, 'keep.txt'), 'keep me');
    const run = await cli('export', sample, '--out', target, '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe('output-exists');
    expect(readFileSync(path.join(target, 'keep.txt'), 'utf8')).toBe('keep me');
  });
});

describe('predict refuses numbers a float input cannot hold', () => {
  test('1e39 for annual_income exits 4 naming the field, instead of a probability of 1', async () => {
    const run = await cli(
      'predict',
      sample,
      '--input',
      '{"lead_source":"NA","number_of_courses_viewed":1,"annual_income":1e39}',
    );
    expect(run.code).toBe(4);
    expect(run.stderr).toContain(
      "annual_income: 1e+39 is too large for this model's float input (max ±3.4e38)",
    );
  });
});

describe('modeldock score options name real inputs and columns', () => {
  const out = path.join(dir, 'scored.csv');

  test.each([
    [['--fill', 'nope=NA'], `--fill: nope is not an input of this model (${inputsList}).`],
    [['--map', 'nope=industry'], `--map: nope is not an input of this model (${inputsList}).`],
    [
      ['--map', 'lead_source=nocol'],
      '--map: nocol is not a column of the CSV (columns: lead_source, industry, number_of_courses_viewed,',
    ],
  ])('%j exits 2', async (options, message) => {
    const run = await cli('score', sample, leadCsv, '--out', out, '--force', ...options);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
  });

  test('a run where every row fails exits 4 and says so, with the flag that would read the numbers', async () => {
    const csv = path.join(dir, 'decimal-comma.csv');
    writeFileSync(
      csv,
      'lead_source,number_of_courses_viewed,annual_income\nreferral,2,"50000,5"\nevents,1,"1,5"\n',
    );
    // Forced to read plain numbers, every row fails: exit 4, and the reason names the flag.
    const run = await cli(
      'score',
      sample,
      csv,
      '--out',
      path.join(dir, 'dc-out.csv'),
      '--number-format',
      'plain',
    );
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('Scored 0 of 2 rows');
    expect(run.stdout).toContain('(use --number-format decimal-comma)');
    expect(run.stdout).toContain('No row could be scored');
    // Left to detect the format, the reader sees the decimal commas in the data.
    const fixed = await cli('score', sample, csv, '--out', path.join(dir, 'dc-out.csv'), '--force');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toContain('Scored 2 of 2 rows');
  });
});
