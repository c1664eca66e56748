import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { CsvDialect, ScoringSummary } from '../../shared/contract/index.ts';
import { repoRoot, scoringFixture } from './helpers.ts';

/**
 * Real CSV files and what must happen to each, as a table that grows with every bug
 * (tests/fixtures/csv/cases.json): the exact refusal, or the counts, detected dialect and cells.
 */
interface CsvCase {
  file: string;
  why: string;
  options?: Record<string, unknown>;
  error?: { code: string; message: string };
  detected?: CsvDialect;
  rows?: number;
  scored?: number;
  failed?: number;
  failuresByReason?: Record<string, number>;
  firstRow?: Record<string, string>;
}

const dir = path.join(repoRoot, 'tests/fixtures/csv');
const cases = JSON.parse(readFileSync(path.join(dir, 'cases.json'), 'utf8')) as CsvCase[];
let fx: Awaited<ReturnType<typeof scoringFixture>>;
beforeAll(async () => {
  fx = await scoringFixture();
});
afterAll(async () => fx.close());

test.each(cases.map((entry, index) => [`${entry.file}: ${entry.why}`, entry, index] as const))(
  '%s',
  async (_, entry, index) => {
    const setup = fx.setup(path.join(dir, entry.file), entry.options);
    const outputPath = fx.file(`case-${index}.csv`);
    let summary: ScoringSummary;
    try {
      if (entry.detected) expect((await fx.scoring.inspect(setup)).detected).toEqual(entry.detected);
      summary = await fx.scoring.score({ ...setup, outputPath, overwrite: false, threshold: 0.5 });
    } catch (error) {
      if (!entry.error) throw error;
      const { code, message } = error as { code: string; message: string };
      expect({ code, message }).toEqual(entry.error);
      return;
    }
    expect(entry.error).toBeUndefined();
    expect({ rows: summary.rows, scored: summary.scored, failed: summary.failed }).toEqual({
      rows: entry.rows,
      scored: entry.scored,
      failed: entry.failed,
    });
    if (entry.failuresByReason) expect(summary.failuresByReason).toEqual(entry.failuresByReason);
    if (entry.firstRow) {
      const [first] = parse(readFileSync(outputPath), {
        columns: true,
        delimiter: summary.dialect.delimiter,
      }) as Record<string, string>[];
      expect(first).toMatchObject(entry.firstRow);
    }
  },
);
