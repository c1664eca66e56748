import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli.ts';

const repo = path.resolve(import.meta.dirname, '..', '..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-compare-decisions-'));
process.env.MODELDOCK_DATA_DIR = path.join(dir, 'data');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const v1 = path.join(repo, 'assets/models/lead_scoring.onnx');
const v2 = path.join(repo, 'tests/fixtures/library/lead_scoring_v2.onnx');
const leads = path.join(repo, 'assets/data/course_lead_scoring.csv');
const fills = [
  '--fill',
  'lead_source=NA',
  '--fill',
  'annual_income=0',
  '--fill',
  'number_of_courses_viewed=0',
];
const references = JSON.parse(
  readFileSync(path.join(repo, 'tests/fixtures/analysis/decision_references.json'), 'utf8'),
) as {
  sets: Record<string, { rocAuc: number; logLoss: number; brier: number }>;
  delong: Record<string, { aucDifference: number; pValue: number; z: number; ci95: [number, number] }>;
};

describe('modeldock compare --label-column: which model is better, and is it real?', () => {
  test('v1 against v2 on the lead file: figures side by side and DeLong, as scikit-learn and the numpy DeLong say', async () => {
    const result = await runCliCaptured([
      'compare',
      v1,
      v2,
      leads,
      '--label-column',
      'converted',
      ...fills,
      '--json',
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    const expected = references.delong.v1_v2 as {
      aucDifference: number;
      pValue: number;
      z: number;
      ci95: [number, number];
    };
    // ONNX computes in float32, scikit-learn in float64: the same ranking to about 1e-6.
    expect(json.metrics.a.rocAuc).toBeCloseTo(references.sets.v1?.rocAuc as number, 5);
    expect(json.metrics.b.rocAuc).toBeCloseTo(references.sets.v2?.rocAuc as number, 5);
    expect(json.metrics.a.logLoss).toBeCloseTo(references.sets.v1?.logLoss as number, 5);
    expect(json.metrics.b.brier).toBeCloseTo(references.sets.v2?.brier as number, 5);
    expect(Object.keys(json.delong)).toEqual(['aucDifference', 'ci95', 'z', 'pValue']);
    expect(json.delong.aucDifference).toBeCloseTo(expected.aucDifference, 5);
    expect(json.delong.z).toBeCloseTo(expected.z, 3);
    expect(json.delong.pValue).toBeCloseTo(expected.pValue, 4);
    expect(json.delong.ci95[0]).toBeCloseTo(expected.ci95[0], 5);
    expect(json.verdict).toBe(
      "lead_scoring.onnx's AUC is 0.008 higher than lead_scoring_v2.onnx's, 95 % CI 0.001–0.016, p = 0.029: the difference is real.",
    );
    expect(json.decisions.a.gains).toHaveLength(10);
  });

  test('the text output puts the figures side by side and ends with the verdict; the run is kept', async () => {
    const result = await runCliCaptured(['compare', v1, v2, leads, '--label-column', 'converted', ...fills]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/ROC AUC\s+0\.80\d+\s+0\.79\d+/);
    expect(result.stdout).toContain('the difference is real.');
    const history = JSON.parse((await runCliCaptured(['history', '--json'])).stdout);
    expect(history[0]).toMatchObject({ kind: 'compare', via: 'cli', settings: { labelColumn: 'converted' } });
    expect(history[0].models.map((model: { role: string }) => model.role)).toEqual(['a', 'b']);
  });

  test('a label column that is not in the file is named', async () => {
    const result = await runCliCaptured(['compare', v1, v2, leads, '--label-column', 'won', ...fills]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('The label column "won" is not in course_lead_scoring.csv.');
  });
});
