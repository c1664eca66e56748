import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { describeInputFile, headlineFigures, runModel } from '../../main/library/run-history.ts';
import { driftReportSchema, runRecordSchema } from '../../shared/contract/index.ts';
import { createLibrary, leadCsv, removeTempDirs, sampleModel, tempDir } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(removeTempDirs);

describe('run history', () => {
  it('keeps a run with checksums, settings, figures and outputs; lists it after a restart and reopens it', async () => {
    const dataDir = await tempDir();
    const first = createLibrary(dataDir);
    cleanups.push(() => first.models.closeAll());
    const info = await first.models.open(sampleModel);
    await first.library.addFromOpen(info);
    const input = await describeInputFile(leadCsv);
    expect(input).toMatchObject({ fileName: 'course_lead_scoring.csv', sizeBytes: 79413 });
    expect(input.sha256).toMatch(/^[0-9a-f]{64}$/);
    const result = { rows: 1462, report: { histogram: [1, 2, 3] } };
    const kept = await first.library.recordRun(
      {
        kind: 'batch',
        via: 'cli',
        models: [runModel(info, 'model')],
        input,
        settings: { threshold: 0.5, labelColumn: 'converted', numberFormat: 'plain', missing: {} },
        metrics: headlineFigures({ rows: 1462, rocAuc: 0.8, nested: { dropped: true } }),
        outputs: { output: path.join(dataDir, 'out.csv') },
      },
      result,
    );
    expect(runRecordSchema.parse(kept)).toEqual(kept);
    expect(kept.models[0]).toMatchObject({
      name: 'lead_scoring',
      versionLabel: 'v1',
      sha256: info.file.sha256,
    });
    expect(kept.metrics).toEqual({ rows: 1462, rocAuc: 0.8 });

    const restarted = createLibrary(dataDir);
    cleanups.push(() => restarted.models.closeAll());
    expect((await restarted.library.listRuns()).map((run) => run.id)).toEqual([kept.id]);
    expect(await restarted.library.getRun(kept.id)).toEqual({ record: kept, result });
    await expect(restarted.library.getRun('nope')).rejects.toMatchObject({ code: 'not-found' });
  });

  it('reopens a run kept when the third PSI band was called "significant" with today\'s name, "shifted"', async () => {
    const dataDir = await tempDir();
    const { models, library } = createLibrary(dataDir);
    cleanups.push(() => models.closeAll());
    const info = await models.open(sampleModel);
    const feature = (name: string, psi: number, band: string) => ({
      name,
      kind: 'numeric',
      psi,
      band,
      bins: [],
      missingReference: 0,
      missingCurrent: 0,
    });
    // The summary as earlier versions wrote it to runs/<id>.json (recordRun keeps whatever it is given).
    const oldSummary = {
      rows: 10,
      drift: {
        referenceRows: 1462,
        currentRows: 10,
        epsilon: 1e-4,
        features: [
          feature('annual_income', 0.7, 'significant'),
          feature('interaction_count', 0.12, 'moderate'),
        ],
        score: feature('probability', 0.4, 'significant'),
      },
    };
    const kept = await library.recordRun(
      {
        kind: 'batch',
        via: 'app',
        models: [runModel(info, 'model')],
        input: await describeInputFile(leadCsv),
        settings: {},
        metrics: {},
        outputs: {},
      },
      oldSummary,
    );
    const { result } = await library.getRun(kept.id);
    const drift = driftReportSchema.parse((result as typeof oldSummary).drift);
    expect(drift.features.map((f) => f.band)).toEqual(['shifted', 'moderate']);
    expect(drift.score?.band).toBe('shifted');
    expect((result as typeof oldSummary).rows).toBe(10);
  });
});
