import { mkdtempSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCompatibility } from '../../main/analysis/compare.ts';
import type { CompareRequest } from '../../main/scoring/scoring-service.ts';
import type { ModelInfo, ModelInput } from '../../shared/contract/index.ts';
import { runCliCaptured } from '../helpers/run-cli.ts';
import {
  createLibrary,
  leadCsv,
  removeTempDirs,
  repo,
  sampleModel,
  tempDir,
  v2Model,
  versionsJson,
  writeCsv,
} from './helpers.ts';

interface Versions {
  fill: Record<string, string | number>;
  v1: { probabilities: number[] };
  v2: { probabilities: number[] };
}

const { models, scoring, analysis } = createLibrary(
  mkdtempSync(path.join(os.tmpdir(), 'modeldock-compare-')),
);
let a: ModelInfo;
let b: ModelInfo;
let versions: Versions;

beforeAll(async () => {
  a = await models.open(sampleModel);
  b = await models.open(v2Model);
  versions = JSON.parse(await fs.readFile(versionsJson, 'utf8')) as Versions;
});
afterAll(async () => {
  await models.closeAll();
  await removeTempDirs();
});

/** compare.csv as the app and the CLI call it. */
function compareCsv(csv: string, options: Partial<CompareRequest> = {}) {
  return analysis.compareCsv({
    modelId: a.modelId,
    modelIdB: b.modelId,
    path: csv,
    threshold: 0.5,
    ...options,
  });
}

/** The fill values the scikit-learn reference used (scripts/fixtures/library/make_lead_versions.py). */
const referenceFill = {
  lead_source: { mode: 'fill', value: 'NA' },
  number_of_courses_viewed: { mode: 'fill', value: '0' },
  annual_income: { mode: 'fill', value: '0' },
} as const;

describe('compare on the real lead data: the sample model against a retrained v2', () => {
  it("matches scikit-learn's own probabilities of both versions on every row", async () => {
    const result = await compareCsv(leadCsv, { missing: referenceFill });
    const p1 = versions.v1.probabilities;
    const p2 = versions.v2.probabilities;
    const deltas = p1.map((p, i) => Math.abs(p - p2[i]!));
    // Row numbers are file lines, as in Batch's errors file: data row i is line i + 2.
    const flips = p1.flatMap((p, i) => (p >= 0.5 !== p2[i]! >= 0.5 ? [i + 2] : []));
    expect(result.rows).toBe(1462);
    expect(result.compared).toBe(1462);
    expect(result.failed).toBe(0);
    // The ONNX graphs compute in float32, scikit-learn in float64: agreement to 1e-6.
    expect(Math.abs(result.meanAbsDelta - deltas.reduce((s, d) => s + d, 0) / deltas.length)).toBeLessThan(
      1e-6,
    );
    expect(Math.abs(result.maxAbsDelta - Math.max(...deltas))).toBeLessThan(1e-6);
    expect(result.flips.count).toBe(flips.length);
    expect(result.flips.aToB + result.flips.bToA).toBe(flips.length);
    expect(result.labelAgreement).toBeCloseTo(1 - flips.length / 1462, 10);
    expect(result.flippedRows.map((flip) => flip.row)).toEqual(flips.slice(0, 100));
    const first = result.flippedRows[0]!;
    expect(Math.abs(first.a - p1[first.row - 2]!)).toBeLessThan(1e-6);
    expect(Math.abs(first.b - p2[first.row - 2]!)).toBeLessThan(1e-6);
    expect(result.scatter).toHaveLength(1462);
    expect(result.scatter[10]![0]).toBeCloseTo(p1[10]!, 6);
  });

  it('evaluates the same rows as Batch on the real lead file, with the same row numbers in their errors', async () => {
    const dir = await tempDir();
    const setups = [
      {}, // the defaults: rows with an empty cell fail (the sample model has no optional input)
      { missing: { lead_source: { mode: 'fill', value: 'NA' } } } as const, // only empty incomes fail
      { missing: referenceFill }, // every row scored
    ];
    for (const [k, setup] of setups.entries()) {
      const result = await compareCsv(leadCsv, setup);
      const summary = await scoring.score({
        modelId: a.modelId,
        path: leadCsv,
        outputPath: path.join(dir, `batch-${k}.csv`),
        overwrite: false,
        threshold: 0.5,
        ...setup,
      });
      expect(result.rows).toBe(summary.rows);
      expect(result.compared).toBe(summary.scored);
      expect(result.failed).toBe(summary.failed);
      expect(result.failuresByReason).toEqual(summary.failuresByReason);
      if (summary.errorsPath) {
        const errorLines = (await fs.readFile(summary.errorsPath, 'utf8'))
          .trim()
          .split('\n')
          .slice(1)
          .map((line) => Number(line.split(',')[0]));
        expect(result.errors.map((error) => error.row)).toEqual(errorLines.slice(0, 100));
      } else expect(result.errors).toEqual([]);
    }
    const strict = await compareCsv(leadCsv, { missing: { annual_income: { mode: 'fail' } } });
    expect(strict.failed).toBeGreaterThan(100);
    // Line 16 of the file (data row 15: line 1 is the header) has no annual income.
    expect(strict.errors[0]).toEqual({ row: 16, message: 'annual_income is empty' });
  });

  it('a higher threshold counts flips at that threshold', async () => {
    const result = await compareCsv(leadCsv, { missing: referenceFill, threshold: 0.8 });
    const p1 = versions.v1.probabilities;
    const p2 = versions.v2.probabilities;
    expect(result.flips.count).toBe(p1.filter((p, i) => p >= 0.8 !== p2[i]! >= 0.8).length);
  });

  it('samples at most 2,000 scatter points, evenly, from a larger file', async () => {
    const dir = await tempDir();
    const lines = ['lead_source,number_of_courses_viewed,annual_income'];
    for (let i = 0; i < 5000; i++) lines.push(`referral,${i % 10},${40000 + i}`);
    const csv = await writeCsv(dir, 'many.csv', lines);
    const result = await compareCsv(csv);
    expect(result.compared).toBe(5000);
    expect(result.scatter.length).toBeLessThanOrEqual(2000);
    expect(result.scatter.length).toBeGreaterThan(1000);
  });

  it('reads a semicolon-separated CSV with a BOM and CRLF, and names ragged rows', async () => {
    const dir = await tempDir();
    const csv = path.join(dir, 'excel.csv');
    const lines = [
      'Lead Source;Number-Of-Courses-Viewed;ANNUAL_INCOME',
      'referral;2;60000',
      '"paid_ads";1;45000',
      'events;3',
      'events;3;50000',
    ];
    await fs.writeFile(csv, `\uFEFF${lines.join('\r\n')}\r\n`);
    const result = await compareCsv(csv);
    expect(result).toMatchObject({ rows: 4, compared: 3, failed: 1 });
    expect(result.errors).toEqual([{ row: 4, message: 'the row has 2 fields; the header has 3' }]);
  });

  it('says which column is missing from the CSV', async () => {
    const dir = await tempDir();
    const csv = await writeCsv(dir, 'partial.csv', ['lead_source,annual_income', 'referral,50000']);
    await expect(compareCsv(csv)).rejects.toMatchObject({
      code: 'mapping-incomplete',
      message: expect.stringContaining('number_of_courses_viewed'),
    });
  });
});

describe('compatibility', () => {
  const input = (name: string, kind: ModelInput['kind'], width = 1): ModelInput => ({
    name,
    kind,
    width,
    type: kind === 'string' ? 'string' : 'float',
    shape: ['N', width],
  });
  const info = (fileName: string, inputs: ModelInput[]) => ({ ...a, file: { ...a.file, fileName }, inputs });

  it('accepts the same names and kinds even when element types differ (int64 vs float)', () => {
    expect(checkCompatibility(a, b)).toEqual({ compatible: true, differences: [] });
  });

  it('names every difference precisely', () => {
    const left = info('a.onnx', [
      input('source', 'string'),
      input('income', 'numeric'),
      input('x', 'numeric', 3),
    ]);
    const right = info('b.onnx', [
      input('source', 'numeric'),
      input('x', 'numeric', 2),
      input('age', 'numeric'),
    ]);
    expect(checkCompatibility(left, right).differences).toEqual([
      'source is string in A but numeric in B.',
      'income is an input of A (a.onnx) but not of B (b.onnx).',
      'x is numeric [3 values] in A but numeric [2 values] in B.',
      'age is an input of B (b.onnx) but not of A (a.onnx).',
    ]);
  });
});

describe('modeldock compare', () => {
  async function cli(args: string[]) {
    process.env.MODELDOCK_DATA_DIR = await tempDir();
    return runCliCaptured(['compare', ...args]);
  }

  it('prints the comparison as JSON', async () => {
    const { code, stdout } = await cli([
      sampleModel,
      v2Model,
      leadCsv,
      '--fill',
      'lead_source=NA',
      '--fill',
      'annual_income=0',
      '--fill',
      'number_of_courses_viewed=0',
      '--threshold',
      '0.5',
      '--json',
    ]);
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(json).toMatchObject({ rows: 1462, compared: 1462, failed: 0, threshold: 0.5 });
    expect(json.a.sha256).toBe(a.file.sha256);
    expect(json.scatter).toBeUndefined();
    expect(json.flippedRows.length).toBeLessThanOrEqual(100);
  });

  it('prints a human summary', async () => {
    const { code, stdout } = await cli([sampleModel, v2Model, leadCsv]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/label agreement +\d+\.\d\d %/);
    // Read as `modeldock score` reads the file: the same 292 rows fail, named by their file line.
    expect(stdout).toMatch(/rows +1462 \(1170 compared, 292 skipped\)/);
    expect(stdout).toMatch(/skipped line 16: annual_income is empty/);
  });

  it('exits 4 and lists the differences when the models read different inputs', async () => {
    const other = path.join(repo, 'tests', 'fixtures', 'onnx', 'zipmap_binary_int.onnx');
    const { code, stdout, stderr } = await cli([sampleModel, other, leadCsv, '--json']);
    expect(code).toBe(4);
    expect(stderr).toMatch(/read different inputs: lead_source is an input of A/);
    expect(JSON.parse(stdout).error.details.differences).toContain(
      'age is an input of B (zipmap_binary_int.onnx) but not of A (lead_scoring.onnx).',
    );
  });

  it('exits 3 for a model file that cannot be used, 2 for bad usage, 4 for an unusable CSV', async () => {
    expect(
      (await cli([path.join(repo, 'tests', 'fixtures', 'onnx', 'truncated.onnx'), v2Model, leadCsv])).code,
    ).toBe(3);
    expect((await cli([sampleModel, v2Model])).code).toBe(2);
    expect((await cli([sampleModel, v2Model, leadCsv, '--threshold', '1.5'])).code).toBe(2);
    expect((await cli([sampleModel, v2Model, leadCsv, '--fill', 'nope'])).code).toBe(2);
    const dir = await tempDir();
    const csv = await writeCsv(dir, 'partial.csv', ['lead_source', 'referral']);
    const missing = await cli([sampleModel, v2Model, csv]);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toMatch(
      /No column of partial.csv matches the model inputs number_of_courses_viewed, annual_income/,
    );
  });
});
