import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { backgroundFromPayloads, readBackgroundCsv } from '../../main/analysis/background.ts';
import { explainRow } from '../../main/analysis/explain.ts';
import { ModelService } from '../../main/models/model-service.ts';
import type { Prediction } from '../../shared/contract/index.ts';
import { readManifest, fixtureDir as sklearnFixtures } from '../sklearn/parity-helpers.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const explainFixtures = path.join(repo, 'tests/fixtures/explain');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-explain-'));
const service = new ModelService({ dataDir: dir });
afterAll(async () => {
  await service.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

/** Rows from a fixture's columns; null (a missing number) and "" (a missing text) leave the key out. */
function rowsOf(columns: Record<string, (number | string | null)[]>, count: number): Row[] {
  return Array.from({ length: count }, (_, r) => {
    const row: Row = {};
    for (const [name, values] of Object.entries(columns)) {
      const value = values[r];
      if (value !== null && value !== '' && value !== undefined) row[name] = value;
    }
    return row;
  });
}

function factorial(k: number): number {
  let out = 1;
  for (let i = 2; i <= k; i++) out *= i;
  return out;
}

/**
 * The definition, written out with nothing from the product but the model's own predict: v(S) for
 * every coalition as the mean over payloads that mix x and a background row, then the factorial sum.
 */
async function bruteForceShapley(modelId: string, names: string[], x: Row, background: Row[]) {
  const n = names.length;
  const payloads: Row[] = [];
  for (let mask = 0; mask < 2 ** n; mask++) {
    for (const b of background) {
      const mixed: Row = {};
      names.forEach((name, p) => {
        const from = (mask >> p) & 1 ? x : b;
        if (name in from) mixed[name] = from[name];
      });
      payloads.push(mixed);
    }
  }
  const outputs: number[] = [];
  for (let start = 0; start < payloads.length; start += 10_000) {
    const result = await service.predict(modelId, { instances: payloads.slice(start, start + 10_000) });
    if (!('predictions' in result)) throw new Error('expected many predictions');
    outputs.push(...result.predictions.map((prediction: Prediction) => prediction.probability!));
  }
  const v: number[] = [];
  for (let mask = 0; mask < 2 ** n; mask++) {
    let sum = 0;
    for (let b = 0; b < background.length; b++) sum += outputs[mask * background.length + b]!;
    v.push(sum / background.length);
  }
  const phi = names.map((_, i) => {
    let total = 0;
    for (let mask = 0; mask < 2 ** n; mask++) {
      if ((mask >> i) & 1) continue;
      let size = 0;
      for (let p = 0; p < n; p++) size += (mask >> p) & 1;
      total +=
        ((factorial(size) * factorial(n - size - 1)) / factorial(n)) * (v[mask | (1 << i)]! - v[mask]!);
    }
    return total;
  });
  return { base: v[0]!, phi };
}

async function agreeWithBruteForce(file: string, rows: Row[], backgroundCount: number, explained: number[]) {
  const info = await service.open(file);
  const names = info.inputs.map((input) => input.name);
  const background = rows.slice(0, backgroundCount);
  for (const index of explained) {
    const x = rows[index]!;
    const explanation = await explainRow(
      service.get(info.modelId),
      x,
      backgroundFromPayloads(info.inputs, background, { name: 'rows' }),
    );
    const oracle = await bruteForceShapley(info.modelId, names, x, background);
    expect(explanation.method).toBe('exact');
    expect(explanation.contributions.map((c) => c.input)).toEqual(names);
    expect(Math.abs(explanation.baseValue - oracle.base)).toBeLessThanOrEqual(1e-9);
    explanation.contributions.forEach((c, i) => {
      expect(Math.abs(c.contribution - oracle.phi[i]!)).toBeLessThanOrEqual(1e-9);
    });
    expect(Math.abs(explanation.residual)).toBeLessThanOrEqual(1e-12);
    // Not a trivial agreement: the inputs do move this prediction.
    expect(Math.max(...explanation.contributions.map((c) => Math.abs(c.contribution)))).toBeGreaterThan(1e-4);
  }
  return info;
}

describe('exact explanations agree with a brute-force implementation of the definition (1e-9)', () => {
  const manifest = readManifest();
  const fixture = (name: string) => manifest.models.find((model) => model.name === name)!;

  test('the sample model (3 inputs)', async () => {
    const check = JSON.parse(
      readFileSync(path.join(repo, 'assets/models/lead_scoring.sklearn-check.json'), 'utf8'),
    ) as { rows: { input: Row }[] };
    const rows = check.rows.map((row) => row.input);
    await agreeWithBruteForce(path.join(repo, 'assets/models/lead_scoring.onnx'), rows, 16, [17, 20]);
  });

  test('a converted random forest (DictVectorizer + RandomForestClassifier, 7 inputs)', async () => {
    const model = fixture('dv_random_forest');
    const rows = rowsOf(model.inputs, Object.values(model.inputs)[0]!.length);
    await agreeWithBruteForce(path.join(sklearnFixtures, model.files[0]!), rows, 16, [20, 21]);
  });

  test('a gradient-boosting pipeline (DictVectorizer + GradientBoostingClassifier, 7 inputs)', async () => {
    const model = fixture('dv_gradient_boosting');
    const rows = rowsOf(model.inputs, Object.values(model.inputs)[0]!.length);
    await agreeWithBruteForce(path.join(sklearnFixtures, model.files[0]!), rows, 16, [20, 21]);
  });

  test('a 12-input model (4,096 coalitions)', async () => {
    const twelve = JSON.parse(readFileSync(path.join(explainFixtures, 'twelve_inputs.json'), 'utf8')) as {
      rows: Row[];
    };
    const info = await agreeWithBruteForce(
      path.join(explainFixtures, 'twelve_inputs.pkl'),
      twelve.rows,
      5,
      [10],
    );
    expect(info.inputs).toHaveLength(12);
  });
});

describe('sampled explanations (beyond 12 inputs) estimate the exact values and stay additive', () => {
  test('the 12-input model sampled agrees with its exact values within 4 standard errors', async () => {
    const twelve = JSON.parse(readFileSync(path.join(explainFixtures, 'twelve_inputs.json'), 'utf8')) as {
      rows: Row[];
    };
    const info = await service.open(path.join(explainFixtures, 'twelve_inputs.pkl'));
    const model = service.get(info.modelId);
    const background = backgroundFromPayloads(info.inputs, twelve.rows.slice(0, 8), { name: 'rows' });
    const exact = await explainRow(model, twelve.rows[11], background);
    const sampled = await explainRow(model, twelve.rows[11], background, { maxExact: 4, permutations: 200 });
    expect(sampled.method).toBe('sampled');
    expect(sampled.permutations).toBe(200);
    expect(Math.abs(sampled.residual)).toBeLessThanOrEqual(1e-12);
    sampled.contributions.forEach((c, i) => {
      expect(c.standardError).toBeGreaterThanOrEqual(0);
      expect(Math.abs(c.contribution - exact.contributions[i]!.contribution)).toBeLessThanOrEqual(
        4 * c.standardError! + 1e-9,
      );
    });
    // The same seed gives the same numbers.
    const again = await explainRow(model, twelve.rows[11], background, { maxExact: 4, permutations: 200 });
    expect(again.contributions).toEqual(sampled.contributions);
  });
});

test('40 inputs are sampled: the count and seed are stated, every standard error is small, the sum is exact', async () => {
  const info = await service.open(path.join(explainFixtures, 'forty_inputs.pkl'));
  expect(info.inputs).toHaveLength(40);
  // Rows on a grid of the training range (the model was trained on N(0, 1) inputs).
  const row = (k: number) =>
    Object.fromEntries(info.inputs.map((input, j) => [input.name, Math.sin(k * 7.1 + j * 1.3) * 1.5]));
  const background = backgroundFromPayloads(
    info.inputs,
    Array.from({ length: 30 }, (_, k) => row(k)),
    { name: 'rows' },
  );
  const explanation = await explainRow(service.get(info.modelId), row(99), background);
  expect(explanation).toMatchObject({ method: 'sampled', permutations: 32, background: { seed: 15 } });
  expect(Math.abs(explanation.residual)).toBeLessThanOrEqual(1e-12);
  for (const c of explanation.contributions) expect(c.standardError).toBeLessThanOrEqual(0.005);
});

interface GuideReference {
  inputs: string[];
  backgroundCsv: string;
  featureNames: string[];
  coefficients: number[];
  intercept: number;
  cases: Array<{
    payload: Row;
    value: number;
    baseValue: number;
    contributions: number[];
    logOdds: { value: number; baseValue: number; contributions: number[] };
  }>;
}

describe("the course's pipeline_v1.bin with 100 real leads as background", () => {
  const reference = JSON.parse(
    readFileSync(path.join(explainFixtures, 'pipeline_v1_shapley.json'), 'utf8'),
  ) as GuideReference;
  const csv = path.join(explainFixtures, reference.backgroundCsv);

  test('exact values equal scikit-learn’s, computed by enumeration (probability and log-odds)', async () => {
    const info = await service.open(path.join(sklearnFixtures, 'pipeline_v1.bin'));
    const background = await readBackgroundCsv(info.inputs, csv);
    expect(background.summary).toMatchObject({ rows: 100, totalRows: 100, skippedRows: 0, sampled: false });
    for (const expected of reference.cases) {
      for (const scale of ['probability', 'log-odds'] as const) {
        const want = scale === 'probability' ? expected : expected.logOdds;
        const got = await explainRow(service.get(info.modelId), expected.payload, background, { scale });
        expect(got.target.scale).toBe(scale);
        expect(Math.abs(got.value - want.value)).toBeLessThanOrEqual(1e-9);
        expect(Math.abs(got.baseValue - want.baseValue)).toBeLessThanOrEqual(1e-9);
        got.contributions.forEach((c, i) => {
          expect(c.input).toBe(reference.inputs[i]);
          expect(Math.abs(c.contribution - want.contributions[i]!)).toBeLessThanOrEqual(1e-9);
        });
      }
    }
  });

  test('in log-odds the contributions are the closed form wᵢ·(xᵢ − mean of the background’s xᵢ)', async () => {
    const info = await service.open(path.join(sklearnFixtures, 'pipeline_v1.bin'));
    const background = await readBackgroundCsv(info.inputs, csv);
    // DictVectorizer's columns: "name=value" one-hot for text, the number itself; a missing value is all zeros.
    const columnsOf = (row: Record<string, unknown>) => {
      const out = new Map<string, number>();
      for (const [name, value] of Object.entries(row)) {
        if (typeof value === 'string' && value !== '') out.set(`${name}=${value}`, 1);
        if (typeof value === 'number' && !Number.isNaN(value)) out.set(name, value);
      }
      return out;
    };
    const backgroundColumns = background.rows.map((row) =>
      columnsOf(Object.fromEntries(Object.entries(row).map(([name, values]) => [name, values[0]]))),
    );
    for (const expected of reference.cases) {
      const got = await explainRow(service.get(info.modelId), expected.payload, background, {
        scale: 'log-odds',
      });
      const x = columnsOf(expected.payload);
      reference.inputs.forEach((input, i) => {
        let closed = 0;
        reference.featureNames.forEach((feature, j) => {
          if (feature !== input && !feature.startsWith(`${input}=`)) return;
          let mean = 0;
          for (const b of backgroundColumns) mean += b.get(feature) ?? 0;
          mean /= backgroundColumns.length;
          closed += reference.coefficients[j]! * ((x.get(feature) ?? 0) - mean);
        });
        expect(Math.abs(got.contributions[i]!.contribution - closed)).toBeLessThanOrEqual(1e-9);
      });
    }
  });
});
