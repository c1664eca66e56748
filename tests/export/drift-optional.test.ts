// Live drift for a model whose inputs a payload may leave out (the guide's DictVectorizer pipeline):
// there a missing value is something the service scores, so the reference profile keeps its
// "(missing)" share and the live window counts a left-out field (absent key, null, an absent /v2
// tensor) as missing — the same PSI `modeldock score --reference` reports for the same rows, whose
// empty cells the app reads as missing too. (drift.test.ts covers required inputs.)
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  exportWithReferenceAndServe,
  postJson,
  type RunningService,
  repoRoot,
  tempDir,
} from './helpers.ts';

const leadCsv = path.join(repoRoot, 'assets', 'data', 'course_lead_scoring.csv');
/** pickle.dump of the guide's DictVectorizer + LogisticRegression: every input optional. */
const guideModel = path.join(repoRoot, 'tests', 'fixtures', 'sklearn', 'pipeline_v1.bin');
const inputs = ['lead_source', 'number_of_courses_viewed', 'annual_income'] as const;
const windowSize = 300;

let work: string;
let header: string;
let columns: string[];
let rows: string[][];
let service: RunningService;
let exported: { path: string; drift: { emptyCellsLeftOut?: Record<string, number> } };
let bundle: string;

beforeAll(async () => {
  work = await tempDir('drift-optional');
  process.env.MODELDOCK_DATA_DIR = path.join(work, 'data');
  const lines = (await readFile(leadCsv, 'utf8')).trim().split('\n');
  header = lines[0]!;
  columns = header.split(',');
  rows = lines.slice(1).map((line) => line.split(','));
  ({ exported, service } = await exportWithReferenceAndServe(guideModel, {
    work,
    name: 'guide',
    referenceCsv: leadCsv,
    windowSize,
  }));
  bundle = exported.path;
}, 240_000);

afterAll(async () => {
  await service?.stop();
});

const cell = (row: string[], name: string) => row[columns.indexOf(name)]!;

/** The app's PSI for these rows: `modeldock score <model> rows.csv --reference <csv> --json`. */
async function appDrift(name: string, sent: string[][]) {
  const csv = path.join(work, `${name}.csv`);
  await writeFile(csv, `${header}\n${sent.map((row) => row.join(',')).join('\n')}\n`);
  const result = await cli([
    'score',
    guideModel,
    csv,
    '--out',
    path.join(work, `${name}-scored.csv`),
    '--reference',
    leadCsv,
    '--json',
  ]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout).drift as {
    features: { name: string; psi: number; band: string }[];
    score: { psi: number };
  };
}

/**
 * Half the rows through /predict (an empty cell left out: the key absent on one row, null on the
 * next), half through /v2 (an empty lead_source as "", an empty annual_income by leaving the whole
 * tensor out of that request, as the Open Inference Protocol lets an optional input be).
 */
async function send(sent: string[][]) {
  const half = Math.floor(sent.length / 2);
  const instances = sent.slice(0, half).map((row, index) => {
    const instance: Record<string, unknown> = {};
    for (const name of inputs) {
      const value = cell(row, name);
      if (value !== '') instance[name] = name === 'lead_source' ? value : Number(value);
      else if (index % 2 === 1) instance[name] = null;
    }
    return instance;
  });
  expect((await postJson(`${service.url}/predict`, { instances })).status).toBe(200);
  const rest = sent.slice(half);
  for (const withIncome of [true, false]) {
    const group = rest.filter((row) => (cell(row, 'annual_income') !== '') === withIncome);
    if (group.length === 0) continue;
    const tensor = (name: string, datatype: string, read: (value: string) => unknown) => ({
      name,
      shape: [group.length, 1],
      datatype,
      data: group.map((row) => read(cell(row, name))),
    });
    const inferred = await postJson(`${service.url}/v2/models/guide/infer`, {
      inputs: [
        tensor('lead_source', 'BYTES', String),
        tensor('number_of_courses_viewed', 'FP64', Number),
        ...(withIncome ? [tensor('annual_income', 'FP64', Number)] : []),
      ],
    });
    expect(inferred.status, inferred.text).toBe(200);
  }
}

async function serviceDrift() {
  const response = await fetch(`${service.url}/drift`);
  expect(response.status).toBe(200);
  return (await response.json()) as {
    inputs: { name: string; psi: number; band: string; rows: number; bins: { label: string }[] }[];
    score: { psi: number };
  };
}

async function expectSameAsApp(name: string, sent: string[][]) {
  const served = await serviceDrift();
  const app = await appDrift(name, sent);
  for (const feature of app.features) {
    const input = served.inputs.find((candidate) => candidate.name === feature.name)!;
    expect(input.rows, feature.name).toBe(windowSize);
    expect(Math.abs(input.psi - feature.psi), feature.name).toBeLessThan(1e-9);
    expect(input.band, feature.name).toBe(feature.band);
  }
  expect(Math.abs(served.score.psi - app.score.psi)).toBeLessThan(1e-9);
  return served;
}

describe('live drift of inputs a payload may leave out', () => {
  it('keeps the reference\'s "(missing)" share and leaves nothing out', async () => {
    const profile = JSON.parse(await readFile(path.join(bundle, 'drift', 'reference-profile.json'), 'utf8'));
    expect(exported.drift.emptyCellsLeftOut).toBeUndefined();
    expect(profile.reference).toEqual({ fileName: 'course_lead_scoring.csv', rows: rows.length });
    for (const name of inputs) {
      const feature = profile.features.find((candidate: { name: string }) => candidate.name === name);
      const empty = rows.filter((row) => cell(row, name) === '').length;
      expect(feature.missingShare, name).toBeCloseTo(empty / rows.length, 12);
    }
  });

  it("counts left-out fields as the app counts empty cells: stable for the reference's own rows, shifted when fields go missing", async () => {
    // Every third lead, empty cells and all: the reference's own population.
    const steady = rows.filter((_row, index) => index % 3 === 0).slice(0, windowSize);
    expect(steady.some((row) => cell(row, 'annual_income') === '')).toBe(true);
    expect(steady.some((row) => cell(row, 'lead_source') === '')).toBe(true);
    await send(steady);
    const calm = await expectSameAsApp('steady', steady);
    for (const input of calm.inputs) {
      expect(input.psi, input.name).toBeLessThan(0.1);
      if (input.name !== 'number_of_courses_viewed')
        expect(
          input.bins.map((bin) => bin.label),
          input.name,
        ).toContain('(missing)');
    }

    // The same leads with annual_income left out of every other one.
    const drifted = steady.map((row, index) => {
      const copy = [...row];
      if (index % 2 === 0) copy[columns.indexOf('annual_income')] = '';
      return copy;
    });
    await send(drifted);
    const shifted = await expectSameAsApp('drifted', drifted);
    const income = shifted.inputs.find((input) => input.name === 'annual_income')!;
    expect(income.psi).toBeGreaterThan(0.25);
    expect(income.band).toBe('shifted');
  });
});
