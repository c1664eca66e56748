import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, describe, expect, test } from 'vitest';
import { modelDecisions } from '../../main/analysis/decisions.ts';
import { runCliCaptured } from './../helpers/run-cli.ts';
import { leadCsv, sampleModel } from './helpers.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-cli-decisions-'));
process.env.MODELDOCK_DATA_DIR = path.join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const references = JSON.parse(
  readFileSync(new URL('../fixtures/analysis/decision_references.json', import.meta.url), 'utf8'),
) as { sets: Record<string, { scores: number[]; labels: number[]; rocAuc: number }> };
const v1 = references.sets.v1 as { scores: number[]; labels: number[]; rocAuc: number };
const fills = [
  '--fill',
  'lead_source=NA',
  '--fill',
  'annual_income=0',
  '--fill',
  'number_of_courses_viewed=0',
];

describe('modeldock score: whom to call', () => {
  test('--json carries gains and lift by decile and the capacity table; --capacity 10% adds a "selected" column', async () => {
    const out = path.join(dir, 'scored.csv');
    const result = await runCliCaptured([
      'score',
      sampleModel,
      leadCsv,
      '--out',
      out,
      '--label-column',
      'converted',
      ...fills,
      '--capacity',
      '10%',
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary.scored).toBe(1462);
    // The ONNX model's float32 scores against scikit-learn's float64 ones: the same ranking figures.
    expect(summary.metrics.rocAuc).toBeCloseTo(v1.rocAuc, 6);
    const reference = modelDecisions(v1.scores, v1.labels, 0.5);
    expect(summary.gains).toHaveLength(10);
    summary.gains.forEach((row: { cumulativeGain: number }, i: number) => {
      expect(row.cumulativeGain).toBeCloseTo(reference.gains[i]?.cumulativeGain as number, 2);
    });
    expect(summary.lift[0]).toEqual({
      decile: 1,
      lift: summary.gains[0].lift,
      cumulativeLift: summary.gains[0].cumulativeLift,
    });
    expect(summary.capacity.map((row: { capacity: number }) => row.capacity)).toEqual([
      73, 146, 292, 439, 731,
    ]);
    expect(summary.selection).toMatchObject({ capacity: 146, request: { kind: 'share', share: 0.1 } });

    const rows = parse(readFileSync(out), { columns: true }) as Record<string, string>[];
    const selected = rows.filter((row) => row.selected === '1');
    expect(selected).toHaveLength(summary.selection.selected);
    const threshold = summary.selection.threshold as number;
    for (const row of rows) expect(row.selected === '1').toBe(Number(row.predicted_probability) >= threshold);
    expect(selected.filter((row) => row.converted === '1')).toHaveLength(summary.selection.conversions);
  });

  test('the text summary shows gains and capacity; the run is in the history', async () => {
    const out = path.join(dir, 'scored-text.csv');
    const result = await runCliCaptured([
      'score',
      sampleModel,
      leadCsv,
      '--out',
      out,
      '--label-column',
      'converted',
      ...fills,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('gains and lift by decile');
    expect(result.stdout).toContain('capacity (score ≥ threshold');
    const history = JSON.parse((await runCliCaptured(['history', '--json'])).stdout);
    expect(history[0]).toMatchObject({
      kind: 'batch',
      via: 'cli',
      input: { fileName: 'course_lead_scoring.csv', sizeBytes: 79413 },
      settings: { labelColumn: 'converted', threshold: 0.5 },
      outputs: { output: out },
    });
    expect(history[0].models[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    // Taken while the run scored the file: still the SHA-256 of its bytes.
    expect(history[0].input.sha256).toBe(createHash('sha256').update(readFileSync(leadCsv)).digest('hex'));
  });

  test('--capacity says what it expects', async () => {
    const result = await runCliCaptured([
      'score',
      sampleModel,
      leadCsv,
      '--out',
      path.join(dir, 'x.csv'),
      '--capacity',
      'lots',
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--capacity: Capacity "lots" is neither a number of rows (250) nor a share of them (10%).',
    );
  });
});
