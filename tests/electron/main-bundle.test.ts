import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The built Electron main process, run on a stub of the electron module (no Electron binary in CI): it must
// load, open and score models through the same IPC path the window uses, and refuse foreign senders.
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const mainBundle = path.join(root, 'dist/electron/main.cjs');
const sampleModel = path.join(root, 'assets/models/lead_scoring.onnx');
const sklearnFixture = path.join(
  root,
  'tests/fixtures/sklearn/ct_index_passthrough_forest.joblib-lzma.joblib',
);

interface DriveResult {
  webPreferences: Record<string, unknown>;
  loadedFile: string;
  opened: { ok: boolean; value?: { file: { sha256: string } } };
  predicted: { ok: boolean; value?: { probability?: number } };
  pickle: { ok: boolean; format?: string };
  foreignPage: { ok: boolean; error?: { code: string } };
  subFrame: { ok: boolean; error?: { code: string } };
  info: { ok: boolean; value?: { mode: string; dataDir: string } };
}

let result: DriveResult;
let dataDir: string;

beforeAll(async () => {
  await run(process.execPath, [path.join(root, 'scripts/build-electron.mjs')], { cwd: root });
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-electron-'));
  const { stdout } = await run(
    process.execPath,
    [path.join(import.meta.dirname, 'drive-main-bundle.cjs'), mainBundle, sampleModel, sklearnFixture],
    {
      cwd: root,
      env: {
        ...process.env,
        STUB_ELECTRON_DIR: dataDir,
        MODELDOCK_DATA_DIR: '',
        MODELDOCK_USER_DATA_DIR: path.join(dataDir, 'profile'),
      },
    },
  );
  result = JSON.parse(stdout.trim().split('\n').pop()!) as DriveResult;
}, 60_000);

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('the built Electron main process', () => {
  it('opens its window locked down, on the built renderer, with the preload', () => {
    expect(result.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: path.join(root, 'dist/electron/preload.cjs'),
    });
    expect(result.loadedFile).toBe(path.join(root, 'dist/renderer/index.html'));
  });

  it('opens and scores the sample model over IPC, as the CLI does', async () => {
    expect(result.opened.ok).toBe(true);
    expect(result.opened.value?.file.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.predicted.ok).toBe(true);
    expect(result.predicted.value?.probability).toBeGreaterThan(0);
    expect(result.predicted.value?.probability).toBeLessThan(1);
  });

  it('loads the scikit-learn converter at run time (TypeScript sources through tsx)', () => {
    expect(result.pickle).toEqual({ ok: true, format: 'sklearn-joblib' });
  });

  it('refuses IPC from another page or a sub-frame', () => {
    expect(result.foreignPage).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(result.subFrame).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('keeps its data in the profile (userData) directory, which MODELDOCK_USER_DATA_DIR can move', () => {
    expect(result.info.value).toMatchObject({ mode: 'electron', dataDir: path.join(dataDir, 'profile') });
  });

  it('ships a preload that requires nothing but electron (sandboxed preloads can’t)', async () => {
    const preload = await readFile(path.join(root, 'dist/electron/preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
    expect(required).toEqual(['electron']);
    expect(preload).not.toContain('exposeInMainWorld("ipcRenderer"');
  });
});
