import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCliCaptured } from './../helpers/run-cli.ts';
import { leadCsv, sampleModel } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-cli-score-'));
process.env.MODELDOCK_DATA_DIR = path.join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function score(...args: string[]) {
  return runCliCaptured(['score', ...args]);
}

describe('modeldock score', () => {
  test('--json prints the summary with metrics; missing values fail rows unless filled', async () => {
    const out = path.join(dir, 'scored.csv');
    const result = await score(
      sampleModel,
      leadCsv,
      '--out',
      out,
      '--label-column',
      'converted',
      '--fill',
      'lead_source=NA',
      '--json',
    );
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(Object.keys(summary)).toEqual([
      'rows',
      'scored',
      'failed',
      'seconds',
      'rowsPerSecond',
      'outputPath',
      'errorsPath',
      'numberFormat',
      'unseenCategories',
      'gains',
      'lift',
      'capacity',
      'metrics',
    ]);
    expect(summary.unseenCategories).toEqual({});
    // 181 rows have no annual_income and no fill was given for it.
    expect(summary).toMatchObject({ rows: 1462, scored: 1281, failed: 181, outputPath: out });
    expect(summary.errorsPath).toBe(path.join(dir, 'scored.errors.csv'));
    expect(readFileSync(summary.errorsPath, 'utf8').split('\n')[1]).toBe('16,annual_income,,is empty');
    expect(summary.metrics).toMatchObject({
      labelColumn: 'converted',
      positiveClass: 1,
      rows: 1281,
      threshold: 0.5,
    });
    expect(summary.metrics.rocAuc).toBeGreaterThan(0.5);
  });

  test('refuses to replace an existing output without --force, then replaces it with --force', async () => {
    const out = path.join(dir, 'exists.csv');
    writeFileSync(out, 'old');
    const refused = await score(
      sampleModel,
      leadCsv,
      '--out',
      out,
      '--fill',
      'lead_source=NA',
      '--fill',
      'annual_income=0',
    );
    // 2: fixable on the command line (--force), like a usage error (main/cli/output.ts).
    expect(refused.code).toBe(2);
    expect(refused.stderr).toBe(
      'modeldock: exists.csv already exists; confirm to replace it (--force on the command line).\n',
    );
    expect(readFileSync(out, 'utf8')).toBe('old');
    const forced = await score(
      sampleModel,
      leadCsv,
      '--out',
      out,
      '--force',
      '--fill',
      'lead_source=NA',
      '--fill',
      'annual_income=0',
    );
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain('Scored 1,462 of 1,462 rows');
    expect(existsSync(path.join(dir, 'exists.errors.csv'))).toBe(false);
  });

  test('bad CSV exits 4 with one sentence; bad usage exits 2', async () => {
    const empty = path.join(dir, 'empty.csv');
    writeFileSync(empty, '');
    const result = await score(sampleModel, empty, '--out', path.join(dir, 'o.csv'), '--json');
    expect(result.code).toBe(4);
    expect(JSON.parse(result.stdout).error).toMatchObject({
      code: 'empty-file',
      message: 'empty.csv is empty.',
    });
    expect((await score(sampleModel, leadCsv)).code).toBe(2);
    expect((await score(sampleModel, leadCsv, '--out', 'x.csv', '--fill', 'oops')).code).toBe(2);
    expect((await score(sampleModel, leadCsv, '--out', 'x.csv', '--threshold', '2')).code).toBe(2);
  });

  test('--map picks a column for an input whose name does not match', async () => {
    const csv = path.join(dir, 'renamed.csv');
    writeFileSync(csv, 'source,courses,annual_income\nreferral,2,50000\n');
    const out = path.join(dir, 'renamed-out.csv');
    const blocked = await score(sampleModel, csv, '--out', out);
    expect(blocked.code).toBe(4);
    expect(blocked.stderr).toContain('matches the model inputs lead_source, number_of_courses_viewed');
    const mapped = await score(
      sampleModel,
      csv,
      '--out',
      out,
      '--map',
      'lead_source=source',
      '--map',
      'number_of_courses_viewed=courses',
      '--json',
    );
    expect(mapped.code).toBe(0);
    expect(JSON.parse(mapped.stdout)).toMatchObject({ rows: 1, scored: 1 });
  });
});
