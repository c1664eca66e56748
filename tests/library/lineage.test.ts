import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ExportService } from '../../main/export/export-service.ts';
import { createLibrary, leadCsv, removeTempDirs, repo, sampleModel, tempDir, v2Model } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(removeTempDirs);

async function library(dataDir: string) {
  let tick = 0;
  // Distinct, increasing timestamps: "the order added" must not depend on the clock's resolution.
  const built = createLibrary(dataDir, () => new Date(Date.UTC(2026, 0, 1, 0, 0, tick++)));
  cleanups.push(() => built.models.closeAll());
  return built;
}

describe('versions grouped by lineage (same inputs)', () => {
  it('a retrained model with the same inputs is the next version of the first, whatever its file is called', async () => {
    const { models, library: lib } = await library(await tempDir());
    const v1 = await lib.addFromOpen(await models.open(sampleModel));
    const v2 = await lib.addFromOpen(await models.open(v2Model)); // lead_scoring_v2.onnx
    expect(v1).toMatchObject({ name: 'lead_scoring', versionLabel: 'v1' });
    expect(v2).toMatchObject({ name: 'lead_scoring', versionLabel: 'v2', lineage: v1.lineage });
    expect(v2.fileName).toBe('lead_scoring_v2.onnx');

    // Other inputs: a lineage of its own, named after its file.
    const other = await lib.addFromOpen(
      await models.open(path.join(repo, 'tests/fixtures/onnx/regressor.onnx')),
    );
    expect(other.lineage).not.toBe(v1.lineage);
    expect(other).toMatchObject({ name: 'regressor', versionLabel: 'v1' });
  });

  it("Export suggests the library's name and version, not the file's", async () => {
    const { models, library: lib } = await library(await tempDir());
    await lib.addFromOpen(await models.open(sampleModel));
    const v2Info = await models.open(v2Model);
    await lib.addFromOpen(v2Info);
    const exporter = new ExportService({ models, goldenSamples: lib, exportsDir: await tempDir() });
    // The name slugified, as bundle names are.
    expect(await exporter.defaults(v2Info.modelId)).toMatchObject({ name: 'lead-scoring', version: 'v2' });
  });

  it("the drift reference of v1 carries over to v2, profiled with v2's own scores", async () => {
    const { models, library: lib } = await library(await tempDir());
    const work = await tempDir();
    const reference = path.join(work, 'training.csv');
    await fs.copyFile(leadCsv, reference);
    const v1 = await lib.addFromOpen(await models.open(sampleModel));
    await lib.attachReference(v1.id, reference);
    const v2Info = await models.open(v2Model);
    const v2 = await lib.addFromOpen(v2Info);
    const listed = (await lib.list()).entries.find((entry) => entry.id === v2.id);
    expect(listed?.reference).toMatchObject({ fileName: 'training.csv', rows: 1462, carriedFrom: 'v1' });
    const profile = await lib.referenceProfileFor(v2Info.modelId);
    const v1Profile = await lib.referenceProfileFor((await models.open(sampleModel)).modelId);
    expect(profile?.rows).toBe(1462);
    // Same data, a different model: the score deciles differ.
    expect(JSON.stringify(profile)).not.toBe(JSON.stringify(v1Profile));
  });

  it('does not carry a reference whose CSV changed or is gone', async () => {
    const { models, library: lib } = await library(await tempDir());
    const work = await tempDir();
    const reference = path.join(work, 'training.csv');
    await fs.copyFile(leadCsv, reference);
    const v1 = await lib.addFromOpen(await models.open(sampleModel));
    await lib.attachReference(v1.id, reference);
    await fs.appendFile(reference, 'events,,1,1,employed,europe,1,0.5,1\n');
    const v2 = await lib.addFromOpen(await models.open(v2Model));
    expect((await lib.get(v2.id)).reference).toBeUndefined();
  });
});
