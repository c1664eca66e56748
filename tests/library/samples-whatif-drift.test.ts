import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { integerRange, linearRange } from '../../main/analysis/whatif.ts';
import type { PredictResult } from '../../shared/contract/index.ts';
import {
  createLibrary,
  leadCsv,
  removeTempDirs,
  sampleModel,
  tempDir,
  v2Model,
  versionsJson,
  writeCsv,
} from './helpers.ts';

const guidePayload = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };
const opened: Array<ReturnType<typeof createLibrary>> = [];

async function setup() {
  const built = createLibrary(await tempDir());
  opened.push(built);
  return built;
}

afterAll(async () => {
  for (const { models } of opened) await models.closeAll();
  await removeTempDirs();
});

describe('golden samples', () => {
  it('saves a payload with its outputs and passes when run again, after a restart too', async () => {
    const { models, library } = await setup();
    const info = await models.open(sampleModel);
    await library.addFromOpen(info);
    const sample = await library.saveSample(info.modelId, 'guide example', guidePayload);
    const direct = (await models.predict(info.modelId, guidePayload)) as PredictResult;
    expect(sample.expected).toEqual({
      label: direct.label,
      probabilities: direct.probabilities,
      probability: direct.probability,
    });
    expect(sample.modelSha256).toBe(info.file.sha256);
    await library.saveSample(info.modelId, 'referral lead', { ...guidePayload, lead_source: 'referral' });
    // Saving under an existing name replaces that sample.
    await library.saveSample(info.modelId, 'guide example', guidePayload);
    expect((await library.listSamples(info.file.sha256)).map((s) => s.name)).toEqual([
      'referral lead',
      'guide example',
    ]);

    const report = await library.runSamples(info.modelId);
    expect(report).toMatchObject({ passed: 2, failed: 0, tolerance: 1e-6 });
    expect(report.runs.every((run) => run.maxAbsDelta === 0 && run.labelMatches)).toBe(true);

    const restarted = createLibrary(path.dirname(library.root));
    opened.push(restarted);
    const again = await restarted.models.open(sampleModel);
    expect((await restarted.library.runSamples(again.modelId)).passed).toBe(2);
  });

  it('fails a sample whose outputs no longer match, with the difference', async () => {
    const { models, library } = await setup();
    const info = await models.open(sampleModel);
    await library.addFromOpen(info);
    await library.saveSample(info.modelId, 'guide example', guidePayload);
    // What the analyst saw differs from what this model computes now by 0.001.
    const store = JSON.parse(await fs.readFile(library.storeFile, 'utf8'));
    const expected = store.samples[info.file.sha256][0].expected;
    expected.probability -= 0.001;
    expected.probabilities['1'] -= 0.001;
    expected.probabilities['0'] += 0.001;
    await fs.writeFile(library.storeFile, JSON.stringify(store));
    const restarted = createLibrary(path.dirname(library.root));
    opened.push(restarted);
    const again = await restarted.models.open(sampleModel);
    const report = await restarted.library.runSamples(again.modelId);
    expect(report.failed).toBe(1);
    expect(report.runs[0]!.passed).toBe(false);
    expect(report.runs[0]!.labelMatches).toBe(true);
    expect(report.runs[0]!.maxAbsDelta).toBeCloseTo(0.001, 9);
  });

  it('records a sample whose payload no longer predicts as a failure with the reason', async () => {
    const { models, library } = await setup();
    const info = await models.open(sampleModel);
    await library.addFromOpen(info);
    await library.saveSample(info.modelId, 's', guidePayload);
    const store = JSON.parse(await fs.readFile(library.storeFile, 'utf8'));
    store.samples[info.file.sha256][0].payload = { lead_source: 'organic' };
    await fs.writeFile(library.storeFile, JSON.stringify(store));
    const restarted = createLibrary(path.dirname(library.root));
    opened.push(restarted);
    const again = await restarted.models.open(sampleModel);
    const run = (await restarted.library.runSamples(again.modelId)).runs[0]!;
    expect(run).toMatchObject({ passed: false, maxAbsDelta: null, actual: null });
    expect(run.error).toMatch(/number_of_courses_viewed/);
  });
});

describe('what-if', () => {
  it('steps integer inputs through whole numbers', () => {
    expect(integerRange(0, 10, 50)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(integerRange(0, 1000, 5)).toEqual([0, 250, 500, 750, 1000]);
    expect(linearRange(0, 1, 3)).toEqual([0, 0.5, 1]);
  });

  const versions = JSON.parse(readFileSync(versionsJson, 'utf8')) as Record<
    'v1' | 'v2',
    { coefficients: Record<string, number> }
  >;

  for (const [version, file] of [
    ['v1', sampleModel],
    ['v2', v2Model],
  ] as const) {
    it(`the curve of logistic model ${version} moves with the sign of each numeric coefficient`, async () => {
      const { models, analysis } = await setup();
      const info = await models.open(file);
      for (const [input, coefficient] of Object.entries(versions[version].coefficients)) {
        const curve = await analysis.whatIf(info.modelId, { payload: guidePayload, input });
        expect(curve.rangeSource).toBe('around-value');
        const base = guidePayload[input as keyof typeof guidePayload] as number;
        const integer = info.inputs.find((candidate) => candidate.name === input)!.type.startsWith('int');
        // Integer inputs (courses viewed is int64 in the sample model) step through whole numbers.
        expect(curve.points.map((point) => point.value)).toEqual(
          integer ? integerRange(0, 2 * base, 50) : linearRange(0, 2 * base, 50),
        );
        const sign = Math.sign(coefficient);
        const probabilities = curve.points.map((point) => point.probability!);
        for (let i = 1; i < probabilities.length; i++) {
          // float32 probabilities can repeat a value where the sigmoid is flat; they never move against the sign.
          expect(sign * (probabilities[i]! - probabilities[i - 1]!)).toBeGreaterThanOrEqual(0);
        }
        expect(sign * (probabilities.at(-1)! - probabilities[0]!)).toBeGreaterThan(0.01);
      }
    });
  }

  it('matches single predictions point by point, over a requested range', async () => {
    const { models, analysis } = await setup();
    const info = await models.open(sampleModel);
    const curve = await analysis.whatIf(info.modelId, {
      payload: guidePayload,
      input: 'annual_income',
      from: 20000,
      to: 120000,
      points: 5,
    });
    expect(curve.rangeSource).toBe('request');
    expect(curve.points.map((point) => point.value)).toEqual([20000, 45000, 70000, 95000, 120000]);
    const single = (await models.predict(info.modelId, {
      ...guidePayload,
      annual_income: 95000,
    })) as PredictResult;
    expect(curve.points[3]!.probability).toBe(single.probability);
  });

  it('varies a categorical input over the categories the model knows', async () => {
    const { models, analysis } = await setup();
    const info = await models.open(sampleModel);
    const curve = await analysis.whatIf(info.modelId, { payload: guidePayload, input: 'lead_source' });
    expect(curve.kind).toBe('categorical');
    expect(curve.baseValue).toBe('organic');
    expect(curve.points.map((point) => point.value)).toEqual(info.inputs[0]!.categories);
    const referral = (await models.predict(info.modelId, {
      ...guidePayload,
      lead_source: 'referral',
    })) as PredictResult;
    expect(curve.points.find((point) => point.value === 'referral')!.probability).toBe(referral.probability);
  });

  it('says so when the input does not exist', async () => {
    const { models, analysis } = await setup();
    const info = await models.open(sampleModel);
    await expect(
      analysis.whatIf(info.modelId, { payload: guidePayload, input: 'age' }),
    ).rejects.toMatchObject({
      code: 'bad-request',
      message: 'lead_scoring.onnx has no input named age.',
    });
  });
});

describe('drift against an attached reference', () => {
  it('finds no drift in the reference itself and shifted inputs and scores in a shifted file', async () => {
    const { models, library, analysis } = await setup();
    const info = await models.open(sampleModel);
    const entry = await library.addFromOpen(info);
    const attached = await library.attachReference(entry.id, leadCsv);
    expect(attached.reference).toMatchObject({ fileName: 'course_lead_scoring.csv', rows: 1462 });

    const same = await analysis.drift({ modelId: info.modelId, path: leadCsv });
    expect(same.features.map((feature) => [feature.name, feature.psi])).toEqual([
      ['lead_source', 0],
      ['number_of_courses_viewed', 0],
      ['annual_income', 0],
    ]);
    expect(same.score?.psi).toBe(0);

    // Heavy viewers only, all from referrals: courses and lead source drift, and so do the scores.
    const text = await fs.readFile(leadCsv, 'utf8');
    const [header, ...rows] = text.trim().split('\n');
    const shifted = rows
      .filter((row) => Number(row.split(',')[2]) >= 3)
      .map((row) => ['referral', ...row.split(',').slice(1)].join(','));
    const dir = await tempDir();
    const csv = await writeCsv(dir, 'shifted.csv', [header!, ...shifted, 'webinar,2,50000,,,,,,']);
    const report = await analysis.drift({ modelId: info.modelId, path: csv });
    const byName = Object.fromEntries(report.features.map((feature) => [feature.name, feature]));
    expect(byName.lead_source!.band).toBe('shifted');
    expect(byName.lead_source!.unseenCategories).toEqual(['webinar']);
    expect(byName.lead_source!.unseenCount).toBe(1);
    expect(byName.number_of_courses_viewed!.band).toBe('shifted');
    expect(report.score?.band).toBe('shifted');
    expect(report.currentRows).toBe(shifted.length + 1);
  });

  it('keeps the reference across a restart, and a batch run computes drift in the same pass', async () => {
    const { models, library } = await setup();
    const info = await models.open(sampleModel);
    const entry = await library.addFromOpen(info);
    expect(await library.referenceProfileFor(info.modelId)).toBeUndefined();
    await library.attachReference(entry.id, leadCsv);

    const restarted = createLibrary(path.dirname(library.root));
    opened.push(restarted);
    const again = await restarted.models.open(sampleModel);
    const profile = await restarted.library.referenceProfileFor(again.modelId);
    expect(profile?.rows).toBe(1462);
    const dir = await tempDir();
    const csv = await writeCsv(dir, 'heavy.csv', [
      'lead_source,number_of_courses_viewed,annual_income',
      'referral,9,200000',
      'referral,9,210000',
    ]);
    const summary = await restarted.scoring.score({
      modelId: again.modelId,
      path: csv,
      outputPath: path.join(dir, 'heavy-scored.csv'),
      overwrite: false,
      threshold: 0.5,
      reference: profile,
    });
    expect(summary.drift?.currentRows).toBe(2);
    expect(summary.drift?.features.every((feature) => feature.band === 'shifted')).toBe(true);

    await restarted.library.detachReference(entry.id);
    expect(await restarted.library.referenceProfileFor(again.modelId)).toBeUndefined();
  });

  it('drift from a batch run equals the standalone drift check on the same file', async () => {
    const { models, library, scoring, analysis } = await setup();
    const info = await models.open(sampleModel);
    await expect(analysis.drift({ modelId: info.modelId, path: leadCsv })).rejects.toMatchObject({
      code: 'not-found',
    });
    const entry = await library.addFromOpen(info);
    await library.attachReference(entry.id, leadCsv);
    const profile = await library.referenceProfileFor(info.modelId);
    const text = await fs.readFile(leadCsv, 'utf8');
    const [header, ...rows] = text.trim().split('\n');
    const dir = await tempDir();
    // Half the rows, a quarter of them from an unseen source and one with a wrong number of fields.
    const current = await writeCsv(dir, 'current.csv', [
      header!,
      ...rows
        .filter((_, i) => i % 2 === 0)
        .map((row, i) => (i % 4 === 0 ? row.replace(/^[^,]*/, 'webinar') : row)),
      'organic,1',
    ]);
    for (const file of [leadCsv, current]) {
      const standalone = await analysis.drift({ modelId: info.modelId, path: file });
      const summary = await scoring.score({
        modelId: info.modelId,
        path: file,
        outputPath: path.join(dir, `scored-${path.basename(file)}`),
        overwrite: true,
        threshold: 0.5,
        reference: profile,
      });
      expect(summary.drift).toEqual(standalone);
    }
  });

  it('uses the reference range for what-if once a reference is attached', async () => {
    const { models, library, analysis } = await setup();
    const info = await models.open(sampleModel);
    const entry = await library.addFromOpen(info);
    await library.attachReference(entry.id, leadCsv);
    const curve = await analysis.whatIf(info.modelId, {
      payload: guidePayload,
      input: 'number_of_courses_viewed',
    });
    expect(curve.rangeSource).toBe('reference');
    expect(curve.points.map((point) => point.value)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
