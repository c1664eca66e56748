import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  describeInputFile,
  describeInputFileEarly,
  headlineFigures,
  runModel,
} from '../../main/library/run-history.ts';
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

  describe("the input's checksum taken while the run scores it", () => {
    const sha256Of = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
    /** A few MiB, so the file is hashed in several pieces. */
    async function bigCsv(dir: string, fill: string): Promise<string> {
      const file = path.join(dir, 'input.csv');
      await fs.writeFile(file, `a,b\n${`${fill},2\n`.repeat(900_000)}`);
      return file;
    }

    it('is the SHA-256 of the whole file, as read in one piece', async () => {
      const file = await bigCsv(await tempDir(), '1');
      const described = await describeInputFileEarly(file)();
      expect(described).toEqual({
        fileName: 'input.csv',
        path: file,
        sizeBytes: (await fs.stat(file)).size,
        sha256: sha256Of(file),
      });
      expect(described).toEqual(await describeInputFile(file));
    });

    it('stopped early (a run that failed), it still describes the file if asked, by hashing it again', async () => {
      const file = await bigCsv(await tempDir(), '3');
      const stop = new AbortController();
      const description = describeInputFileEarly(file, stop.signal);
      stop.abort();
      expect((await description()).sha256).toBe(sha256Of(file));
    });

    it('a file replaced after the early checksum is hashed again as it is now', async () => {
      const file = await bigCsv(await tempDir(), '1');
      const description = describeInputFileEarly(file);
      const before = sha256Of(file);
      // Let the early hash finish, then change the file (same size; a later mtime).
      await new Promise((resolve) => setTimeout(resolve, 300));
      await fs.writeFile(file, (await fs.readFile(file, 'utf8')).replace('a,b', 'x,y'));
      const later = new Date(Date.now() + 5000);
      await fs.utimes(file, later, later);
      const described = await description();
      expect(described.sha256).toBe(sha256Of(file));
      expect(described.sha256).not.toBe(before);
    });
  });
});
