import fs from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadStoreFile } from '../../main/library/store-file.ts';
import { createLibrary, removeTempDirs, sampleModel, tempDir, v2Model } from './helpers.ts';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
afterAll(removeTempDirs);

async function library(dataDir: string, now?: () => Date) {
  const built = createLibrary(dataDir, now);
  cleanups.push(() => built.models.closeAll());
  return built;
}

describe('the library keeps every model opened', () => {
  it('stores a checksummed copy and survives a restart', async () => {
    const dataDir = await tempDir();
    const first = await library(dataDir);
    const info = await first.models.open(sampleModel);
    const entry = await first.library.addFromOpen(info);
    expect(entry).toMatchObject({
      name: 'lead_scoring',
      versionLabel: 'v1',
      sha256: info.file.sha256,
      notes: '',
    });
    expect(entry.storedPath).toBe(path.join(dataDir, 'library', info.file.sha256, 'lead_scoring.onnx'));
    expect(await fs.readFile(entry.storedPath)).toEqual(await fs.readFile(sampleModel));
    await first.library.rename(entry.id, 'Lead scoring');
    await first.library.setNotes(entry.id, 'trained on the course data');

    // A new process: nothing in memory, the same data directory.
    const second = await library(dataDir);
    const { entries, notice } = await second.library.list();
    expect(notice).toBeUndefined();
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      name: 'Lead scoring',
      notes: 'trained on the course data',
      versionLabel: 'v1',
    });
    const reopened = await second.library.open(entries[0]!.id);
    expect(reopened.file.sha256).toBe(info.file.sha256);
    expect((await fs.readdir(path.join(dataDir, 'library'))).filter((name) => name.endsWith('.tmp'))).toEqual(
      [],
    );
  });

  it('gives the next version label to a different file of the same name, and none to the same file', async () => {
    const dataDir = await tempDir();
    const work = await tempDir();
    const renamedV2 = path.join(work, 'lead_scoring.onnx');
    await fs.copyFile(v2Model, renamedV2);
    const { models, library: lib } = await library(dataDir);
    const one = await lib.addFromOpen(await models.open(sampleModel));
    const again = await lib.addFromOpen(await models.open(sampleModel));
    const two = await lib.addFromOpen(await models.open(renamedV2));
    expect(again.id).toBe(one.id);
    expect([one.versionLabel, two.versionLabel]).toEqual(['v1', 'v2']);
    expect((await lib.list()).entries).toHaveLength(2);
    await lib.relabel(two.id, '2025-q3');
    // Opening the same file again finds its entry and keeps the label the user gave it.
    expect((await lib.addFromOpen(await models.open(renamedV2))).versionLabel).toBe('2025-q3');
  });

  it('searches, renames, relabels and removes (deleting the stored copy)', async () => {
    const dataDir = await tempDir();
    const { models, library: lib } = await library(dataDir);
    const a = await lib.addFromOpen(await models.open(sampleModel));
    const b = await lib.addFromOpen(await models.open(v2Model));
    await lib.setNotes(b.id, 'retrained with C=0.02');
    expect((await lib.list('c=0.02')).entries.map((entry) => entry.id)).toEqual([b.id]);
    expect((await lib.list(a.sha256.slice(0, 10))).entries.map((entry) => entry.id)).toEqual([a.id]);
    expect((await lib.list('LEAD_SCORING')).entries).toHaveLength(2);
    expect((await lib.relabel(a.id, 'production')).versionLabel).toBe('production');
    expect(await lib.remove(b.id)).toEqual({ removed: true });
    expect(await lib.remove(b.id)).toEqual({ removed: false });
    await expect(fs.stat(b.storedPath)).rejects.toThrow();
    await expect(lib.rename(b.id, 'x')).rejects.toMatchObject({ code: 'not-found' });
    expect((await lib.list()).entries.map((entry) => entry.id)).toEqual([a.id]);
  });

  it('refuses to keep a copy when the file changed after it was opened', async () => {
    const dataDir = await tempDir();
    const work = await tempDir();
    const file = path.join(work, 'model.onnx');
    await fs.copyFile(sampleModel, file);
    const { models, library: lib } = await library(dataDir);
    const info = await models.open(file);
    await fs.copyFile(v2Model, file);
    await expect(lib.addFromOpen(info)).rejects.toMatchObject({ code: 'checksum-mismatch' });
    expect((await lib.list()).entries).toEqual([]);
  });
});

describe('the store file', () => {
  it('migrates a schema 1 store and writes it back as schema 2', async () => {
    const dataDir = await tempDir();
    const storeFile = path.join(dataDir, 'library', 'library.json');
    await fs.mkdir(path.dirname(storeFile), { recursive: true });
    const v1 = {
      schemaVersion: 1,
      models: [
        {
          id: 'abc123',
          name: 'lead_scoring',
          version: 'v3',
          format: 'onnx',
          path: '/home/ana/models/lead_scoring.onnx',
          file: path.join(dataDir, 'library', 'ff', 'lead_scoring.onnx'),
          sha256: 'ff'.repeat(32),
          md5: 'aa'.repeat(16),
          size: 1234,
          added: '2025-01-02T03:04:05.000Z',
        },
      ],
    };
    await fs.writeFile(storeFile, JSON.stringify(v1));
    const { library: lib } = await library(dataDir);
    const { entries, notice } = await lib.list();
    expect(notice?.kind).toBe('store-migrated');
    expect(entries).toEqual([
      {
        id: 'abc123',
        name: 'lead_scoring',
        versionLabel: 'v3',
        format: 'onnx',
        fileName: 'lead_scoring.onnx',
        sourcePath: '/home/ana/models/lead_scoring.onnx',
        storedPath: path.join(dataDir, 'library', 'ff', 'lead_scoring.onnx'),
        sha256: 'ff'.repeat(32),
        md5: 'aa'.repeat(16),
        sizeBytes: 1234,
        addedAt: '2025-01-02T03:04:05.000Z',
        lastOpenedAt: '2025-01-02T03:04:05.000Z',
        notes: '',
      },
    ]);
    const written = JSON.parse(await fs.readFile(storeFile, 'utf8'));
    expect(written.schemaVersion).toBe(2);
    expect(written.samples).toEqual({});
    // Loading the migrated file again is a plain load.
    expect((await loadStoreFile(storeFile)).notice).toBeUndefined();
  });

  for (const [what, contents] of [
    ['half-written JSON', '{"schemaVersion": 2, "entries": [{"id": "a"'],
    ['JSON without a schema version', '{"entries": []}'],
    ['entries of the wrong shape', '{"schemaVersion": 2, "entries": [{"id": 5}], "samples": {}}'],
  ] as const) {
    it(`moves a corrupted store aside with a notice (${what}) and keeps working`, async () => {
      const dataDir = await tempDir();
      const storeFile = path.join(dataDir, 'library', 'library.json');
      await fs.mkdir(path.dirname(storeFile), { recursive: true });
      await fs.writeFile(storeFile, contents);
      const { models, library: lib } = await library(dataDir, () => new Date('2026-03-04T05:06:07.890Z'));
      const { entries, notice } = await lib.list();
      expect(entries).toEqual([]);
      expect(notice?.kind).toBe('store-corrupt');
      expect(notice?.movedTo).toBe(`${storeFile}.corrupt-20260304T050607Z`);
      expect(notice?.message).toMatch(/moved to library\.json\.corrupt-20260304T050607Z/);
      expect(await fs.readFile(notice!.movedTo!, 'utf8')).toBe(contents);
      await lib.addFromOpen(await models.open(sampleModel));
      expect((await lib.list()).entries).toHaveLength(1);
      expect(await lib.dismissNotice()).toEqual({ dismissed: true });
      expect((await lib.list()).notice).toBeUndefined();
    });
  }

  it('moves aside a store written by a newer schema instead of overwriting it', async () => {
    const dataDir = await tempDir();
    const storeFile = path.join(dataDir, 'library', 'library.json');
    await fs.mkdir(path.dirname(storeFile), { recursive: true });
    await fs.writeFile(storeFile, '{"schemaVersion": 9, "whatever": true}');
    const { library: lib } = await library(dataDir);
    const { notice } = await lib.list();
    expect(notice?.kind).toBe('store-newer');
    expect(notice?.message).toMatch(/newer ModelDock \(schema 9\)/);
  });

  it('keeps every change when many are made at once', async () => {
    const dataDir = await tempDir();
    const { models, library: lib } = await library(dataDir);
    const entry = await lib.addFromOpen(await models.open(sampleModel));
    await Promise.all(Array.from({ length: 20 }, (_, i) => lib.setNotes(entry.id, `note ${i}`)));
    await Promise.all([lib.rename(entry.id, 'renamed'), lib.relabel(entry.id, 'v9')]);
    const { library: after } = await library(dataDir);
    expect((await after.list()).entries[0]).toMatchObject({
      name: 'renamed',
      versionLabel: 'v9',
      notes: 'note 19',
    });
  });
});
