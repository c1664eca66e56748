// model.explain through dispatch and `modeldock explain`: where the background comes from, what is
// explained for each kind of model, and the messages when something is missing.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type CallContext, createHandlerTable, dispatch } from '../../main/handlers.ts';
import { createAppServices } from '../../main/services.ts';
import { explanationSchema } from '../../shared/contract/index.ts';
import { runCliCaptured } from '../helpers/run-cli.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const sample = path.join(repo, 'assets/models/lead_scoring.onnx');
const guide = path.join(repo, 'tests/fixtures/sklearn/pipeline_v1.bin');
const leads = path.join(repo, 'assets/data/course_lead_scoring.csv');
const hundred = path.join(repo, 'tests/fixtures/explain/lead_background_100.csv');
const sklearnDir = path.join(repo, 'tests/fixtures/sklearn');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-explain-service-'));
const services = createAppServices({ mode: 'cli', dataDir });
const table = createHandlerTable(services);
const context: CallContext = { emit: () => {}, signal: new AbortController().signal };
const payload = { lead_source: 'paid_ads', number_of_courses_viewed: 2, annual_income: 79276 };
const previousDataDir = process.env.MODELDOCK_DATA_DIR;
afterAll(async () => {
  await services.dispose();
  if (previousDataDir === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = previousDataDir;
  rmSync(dataDir, { recursive: true, force: true });
});

async function open(file: string) {
  const opened = await dispatch(table, 'model.open', { path: file }, context);
  if (!opened.ok) throw new Error(opened.error.message);
  return opened.value;
}

async function explain(request: Record<string, unknown>) {
  return dispatch(table, 'model.explain', request, context);
}

describe('the background', () => {
  test('none available: a message that says what to give', async () => {
    const info = await open(sample);
    const result = await explain({ modelId: info.modelId, payload });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'not-found',
        message:
          'ModelDock needs background rows to explain lead_scoring.onnx against: give a background CSV, attach a reference CSV in the library, or save golden samples.',
      },
    });
  });

  test('the golden samples, then the attached reference, then a CSV given with the call', async () => {
    const info = await open(guide);
    const entry = (await services.library.list()).entries.find((e) => e.sha256 === info.file.sha256)!;
    await services.library.saveSample(info.modelId, 'a', payload);
    await services.library.saveSample(info.modelId, 'b', { ...payload, lead_source: 'referral' });
    const fromSamples = await explain({ modelId: info.modelId, payload });
    expect(fromSamples.ok && fromSamples.value.background).toEqual({
      rows: 2,
      source: 'samples',
      name: 'golden samples',
      sampled: false,
      totalRows: 2,
      skippedRows: 0,
      seed: 15,
    });
    await services.library.attachReference(entry.id, hundred);
    const fromReference = await explain({ modelId: info.modelId, payload });
    expect(fromReference.ok && fromReference.value.background).toMatchObject({
      rows: 100,
      source: 'reference',
      name: 'lead_background_100.csv',
      sampled: false,
    });
    const fromCsv = await explain({ modelId: info.modelId, payload, backgroundCsv: leads });
    expect(fromCsv.ok).toBe(true);
    if (!fromCsv.ok) return;
    const explanation = explanationSchema.parse(fromCsv.value);
    // 1,462 usable rows: 1,000 drawn with the stated seed.
    expect(explanation.background).toEqual({
      rows: 1000,
      source: 'csv',
      name: 'course_lead_scoring.csv',
      sampled: true,
      totalRows: 1462,
      skippedRows: 0,
      seed: 15,
    });
    expect(explanation.method).toBe('exact');
    expect(explanation.target).toEqual({ kind: 'positive-class', classLabel: 1, scale: 'probability' });
    expect(Math.abs(explanation.residual)).toBeLessThan(1e-12);
    expect(explanation.summary).toMatch(/^Pushed up by annual_income \(79276, \+0\.0\d+\)/);
  });

  test('empty cells follow the batch policy: rows the model cannot take are skipped and counted', async () => {
    // The sample ONNX model has no optional inputs: a row with an empty lead_source or income is skipped.
    const info = await open(sample);
    const result = await explain({ modelId: info.modelId, payload, backgroundCsv: leads });
    expect(result.ok && result.value.background).toMatchObject({ totalRows: 1170, skippedRows: 292 });
  });

  test('a background CSV is read again when it changes', async () => {
    const info = await open(sample);
    const csv = path.join(dataDir, 'changing.csv');
    writeFileSync(csv, 'lead_source,number_of_courses_viewed,annual_income\npaid_ads,1,50000\n');
    const first = await explain({ modelId: info.modelId, payload, backgroundCsv: csv });
    expect(first.ok && first.value.background.rows).toBe(1);
    const again = await explain({ modelId: info.modelId, payload, backgroundCsv: csv });
    expect(again.ok && again.value.baseValue).toBe(first.ok && first.value.baseValue);
    writeFileSync(
      csv,
      'lead_source,number_of_courses_viewed,annual_income\npaid_ads,1,50000\nreferral,3,70000\n',
    );
    const changed = await explain({ modelId: info.modelId, payload, backgroundCsv: csv });
    expect(changed.ok && changed.value.background.rows).toBe(2);
  });

  test('a background CSV without a column for an input names it', async () => {
    const info = await open(sample);
    const csv = path.join(dataDir, 'no-income.csv');
    writeFileSync(csv, 'lead_source,number_of_courses_viewed\npaid_ads,1\n');
    const result = await explain({ modelId: info.modelId, payload, backgroundCsv: csv });
    expect(!result.ok && result.error).toMatchObject({
      code: 'mapping-incomplete',
      message:
        'The background CSV no-income.csv has no column for annual_income (its columns are lead_source, number_of_courses_viewed).',
    });
  });
});

describe('what is explained', () => {
  test('multiclass: the predicted class by default, or the class asked for; an unknown class is named', async () => {
    const info = await open(path.join(sklearnDir, 'dv_random_forest_multiclass.pickle4.pkl'));
    const row = { industry: 'retail', number_of_courses_viewed: 3 };
    const predicted = await dispatch(
      table,
      'model.predict',
      { modelId: info.modelId, payload: row },
      context,
    );
    const byDefault = await explain({ modelId: info.modelId, payload: row, backgroundCsv: hundred });
    expect(byDefault.ok && predicted.ok).toBe(true);
    if (!byDefault.ok || !predicted.ok || !('label' in predicted.value)) return;
    expect(byDefault.value.target).toEqual({
      kind: 'class',
      classLabel: predicted.value.label,
      scale: 'probability',
    });
    expect(byDefault.value.value).toBe(predicted.value.probabilities[String(predicted.value.label)]);
    const chosen = await explain({
      modelId: info.modelId,
      payload: row,
      backgroundCsv: hundred,
      classLabel: 'referral',
    });
    expect(chosen.ok && chosen.value.value).toBe(predicted.value.probabilities.referral);
    const unknown = await explain({
      modelId: info.modelId,
      payload: row,
      backgroundCsv: hundred,
      classLabel: 'tiktok',
    });
    expect(!unknown.ok && unknown.error.message).toMatch(
      /has no class "tiktok" \(its classes are .*paid_ads/,
    );
  });

  test('a regressor: its value; classes and log-odds are refused with a reason', async () => {
    const info = await open(path.join(sklearnDir, 'dv_random_forest_regressor.pickle4.pkl'));
    const row = { industry: 'retail', number_of_courses_viewed: 3 };
    const result = await explain({ modelId: info.modelId, payload: row, backgroundCsv: hundred });
    expect(result.ok && result.value.target).toEqual({ kind: 'value', scale: 'value' });
    const logOdds = await explain({
      modelId: info.modelId,
      payload: row,
      backgroundCsv: hundred,
      scale: 'log-odds',
    });
    expect(!logOdds.ok && logOdds.error.message).toBe(
      'Log-odds apply to a classifier’s probability, not to a regressor’s value.',
    );
  });

  test('one payload at a time, valid by the payload rules', async () => {
    const info = await open(sample);
    const many = await explain({
      modelId: info.modelId,
      payload: { instances: [payload] },
      backgroundCsv: leads,
    });
    expect(!many.ok && many.error).toEqual({
      code: 'invalid-payload',
      message: 'Explain one payload at a time, not {"instances": [...]}.',
    });
    const bad = await explain({
      modelId: info.modelId,
      payload: { ...payload, annual_income: 'lots' },
      backgroundCsv: leads,
    });
    expect(!bad.ok && bad.error.message).toMatch(/^The payload is not valid: annual_income: /);
  });
});

describe('modeldock explain', () => {
  test('--json prints the explanation; the same numbers as the call', async () => {
    process.env.MODELDOCK_DATA_DIR = mkdtempSync(path.join(os.tmpdir(), 'modeldock-explain-cli-'));
    const { code, stdout, stderr } = await runCliCaptured([
      'explain',
      guide,
      '--input',
      JSON.stringify(payload),
      '--background',
      hundred,
      '--json',
    ]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const printed = explanationSchema.parse(JSON.parse(stdout));
    const info = await open(guide);
    const direct = await explain({ modelId: info.modelId, payload, backgroundCsv: hundred });
    expect(direct.ok && direct.value.contributions).toEqual(printed.contributions);
    expect(printed).toMatchObject({
      method: 'exact',
      background: { rows: 100, source: 'csv', sampled: false },
    });
  });

  test('the table is sorted by size and ends with the method, background and residual', async () => {
    const { code, stdout } = await runCliCaptured([
      'explain',
      guide,
      '--input',
      JSON.stringify(payload),
      '--background',
      leads,
    ]);
    expect(code).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(
      /^pipeline_v1\.bin: probability of class 1 0\.6374\d+ {2}\(base value 0\.6\d+\)$/,
    );
    expect(lines.slice(3, 6).map((line) => line.trim().split(/\s+/)[0])).toEqual([
      'annual_income',
      'lead_source',
      'number_of_courses_viewed',
    ]);
    expect(stdout).toContain(
      'background  course_lead_scoring.csv (csv): 1000 of 1462 rows drawn with seed 15',
    );
    expect(stdout).toMatch(/\nresidual {4}\S+ \(base value \+ contributions − score\)\n$/);
  });

  test('usage errors exit 2; a model without a background exits 1 with the message', async () => {
    expect((await runCliCaptured(['explain', guide])).code).toBe(2);
    expect((await runCliCaptured(['explain', guide, '--input', '{}', '--permutations', '1'])).code).toBe(2);
    const none = await runCliCaptured(['explain', sample, '--input', JSON.stringify(payload)]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/^modeldock: ModelDock needs background rows to explain lead_scoring\.onnx/);
  });
});
