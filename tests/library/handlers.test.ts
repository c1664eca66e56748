import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CallContext, createHandlerTable, dispatch } from '../../main/handlers.ts';
import { type AppLog, createAppLog } from '../../main/logging/app-log.ts';
import { createAppServices } from '../../main/services.ts';
import { leadCsv, removeTempDirs, sampleModel, tempDir, v2Model } from './helpers.ts';

const context: CallContext = { emit: () => {}, signal: new AbortController().signal };
const services: Array<ReturnType<typeof createAppServices>> = [];

async function app(dataDir?: string, log?: AppLog) {
  const built = createAppServices({ mode: 'cli', dataDir: dataDir ?? (await tempDir()), log });
  services.push(built);
  return { services: built, table: createHandlerTable(built) };
}

afterAll(async () => {
  for (const built of services) await built.dispose();
  await removeTempDirs();
});

describe('the library through the handler table', () => {
  it('keeps every model opened with model.open', async () => {
    const { table } = await app();
    const opened = await dispatch(table, 'model.open', { path: sampleModel }, context);
    expect(opened.ok).toBe(true);
    const listed = await dispatch(table, 'library.list', {}, context);
    expect(listed).toMatchObject({
      ok: true,
      value: { entries: [{ name: 'lead_scoring', versionLabel: 'v1' }] },
    });
  });

  it('still opens the model when the library cannot keep it', async () => {
    const dataDir = await tempDir();
    // A file where the library folder should be: every library write fails.
    await fs.writeFile(path.join(dataDir, 'library'), 'not a folder');
    const warnings: string[] = [];
    const log = createAppLog({
      stderr: { level: 'warn', stacks: false, write: (line) => warnings.push(line) },
    });
    const { table } = await app(dataDir, log);
    const opened = await dispatch(table, 'model.open', { path: sampleModel }, context);
    expect(opened.ok).toBe(true);
    expect(warnings.join('')).toContain('the library did not keep the opened model');
  });

  it('validates requests and answers typed errors', async () => {
    const { table } = await app();
    const blank = await dispatch(table, 'library.rename', { id: 'x', name: '   ' }, context);
    expect(blank).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    const missing = await dispatch(table, 'library.rename', { id: 'nope', name: 'n' }, context);
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'not-found', message: 'There is no model with id nope in the library.' },
    });
    const closed = await dispatch(table, 'samples.runAll', { modelId: 'model-gone' }, context);
    expect(closed).toMatchObject({ ok: false, error: { code: 'model-not-open' } });
  });

  it('saves and runs samples, draws a what-if curve and compares a payload', async () => {
    const { table } = await app();
    const a = await dispatch(table, 'model.open', { path: sampleModel }, context);
    const b = await dispatch(table, 'model.open', { path: v2Model }, context);
    if (!a.ok || !b.ok) throw new Error('open failed');
    const payload = { lead_source: 'referral', number_of_courses_viewed: 2, annual_income: 60000 };
    const saved = await dispatch(
      table,
      'samples.save',
      { modelId: a.value.modelId, name: 'referral', payload },
      context,
    );
    expect(saved).toMatchObject({ ok: true, value: { name: 'referral', modelSha256: a.value.file.sha256 } });
    const runs = await dispatch(table, 'samples.runAll', { modelId: a.value.modelId }, context);
    expect(runs).toMatchObject({ ok: true, value: { passed: 1, failed: 0 } });
    const curve = await dispatch(
      table,
      'whatif.curve',
      { modelId: a.value.modelId, payload, input: 'annual_income', points: 7 },
      context,
    );
    expect(curve.ok && curve.value.points).toHaveLength(7);
    const compared = await dispatch(
      table,
      'compare.payload',
      { modelIdA: a.value.modelId, modelIdB: b.value.modelId, payload },
      context,
    );
    if (!compared.ok) throw new Error(compared.error.message);
    expect(compared.value.absDelta).toBeCloseTo(
      Math.abs(compared.value.a.probability! - compared.value.b.probability!),
      12,
    );
    expect(compared.value.absDelta).toBeGreaterThan(0);
  });

  it("batch.score keeps the run with the input's SHA-256, taken while the run scored it", async () => {
    const dataDir = await tempDir();
    const { table } = await app(dataDir);
    const opened = await dispatch(table, 'model.open', { path: sampleModel }, context);
    if (!opened.ok) throw new Error(opened.error.message);
    const scored = await dispatch(
      table,
      'batch.score',
      {
        modelId: opened.value.modelId,
        path: leadCsv,
        outputPath: path.join(dataDir, 'scored.csv'),
        overwrite: true,
        missing: {
          annual_income: { mode: 'fill', value: '0' },
          lead_source: { mode: 'fill', value: 'NA' },
          number_of_courses_viewed: { mode: 'fill', value: '0' },
        },
      },
      context,
    );
    if (!scored.ok) throw new Error(scored.error.message);
    const run = await dispatch(table, 'history.get', { id: scored.value.runId ?? '' }, context);
    if (!run.ok) throw new Error(run.error.message);
    expect(run.value.record.input).toEqual({
      fileName: 'course_lead_scoring.csv',
      path: leadCsv,
      sizeBytes: (await fs.stat(leadCsv)).size,
      sha256: createHash('sha256')
        .update(await fs.readFile(leadCsv))
        .digest('hex'),
    });
  });
});
