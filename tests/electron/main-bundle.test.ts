import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rendererCsp } from '../../main/electron/security-policy.ts';
import { type StagedApp, stagePackagedApp } from './stage-packaged-app.ts';

// The built Electron main process, run on a stub of the electron module (no Electron binary in CI) from a
// folder laid out as electron-builder.yml packs the app: no TypeScript sources, no tsx, no esbuild. It must
// load, open and score models through the same IPC path the window uses (the converter, the checksum threads
// and the batch worker included), and refuse foreign senders.
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '../..');
const sampleModel = path.join(root, 'assets/models/lead_scoring.onnx');
const sklearnFixture = path.join(
  root,
  'tests/fixtures/sklearn/ct_index_passthrough_forest.joblib-lzma.joblib',
);
const bundles = ['electron/main.cjs', 'electron/preload.cjs', 'score-worker.cjs'];

interface DriveResult {
  webPreferences: Record<string, unknown>;
  loadedUrl: string;
  privilegedSchemes: Array<{ scheme: string; privileges: Record<string, boolean>; ready: boolean }>;
  page: { status: number; contentType: string; csp: string; body: string };
  traversal: { status: number; body: string };
  opened: { ok: boolean; value?: { modelId: string; file: { sha256: string } } };
  predicted: { ok: boolean; value?: { probability?: number } };
  pickle: { ok: boolean; format?: string };
  bigModel: { ok: boolean; file?: { sha256: string; md5: string; sizeBytes: number } };
  scored: {
    ok: boolean;
    value?: { rows: number; scored: number; failed: number; outputPath: string; addedColumns: string[] };
  };
  exported: { ok: boolean; files?: string[] };
  foreignPage: { ok: boolean; error?: { code: string } };
  subFrame: { ok: boolean; error?: { code: string } };
  info: { ok: boolean; value?: { mode: string; dataDir: string } };
  loadedModules: string[];
}

/**
 * The sample model with a 17 MB doc_string appended (ModelProto field 6; protobuf keeps the last copy), so
 * it is over checksums.ts's threshold for hashing on worker threads and still a model onnxruntime loads.
 */
function paddedModel(model: Buffer): Buffer {
  const padding = Buffer.alloc(17 * 1024 * 1024, 'x');
  const length: number[] = [];
  for (let n = padding.length; ; n >>>= 7) {
    if (n < 0x80) {
      length.push(n);
      break;
    }
    length.push((n & 0x7f) | 0x80);
  }
  return Buffer.concat([model, Buffer.from([(6 << 3) | 2, ...length]), padding]);
}

// Rows for the batch worker; the first is the guide's example payload, predicted over IPC as well.
const csv = [
  'lead_source,number_of_courses_viewed,annual_income',
  'organic,5,75000',
  'paid_ads,1,79450',
  'events,5,78796',
  'referral,0,58472',
].join('\n');

let result: DriveResult;
let tmp: string;
let app: StagedApp;
let bigModel: Buffer;

beforeAll(async () => {
  await run(process.execPath, [path.join(root, 'scripts/build.mjs')], { cwd: root });
  tmp = await mkdtemp(path.join(os.tmpdir(), 'modeldock-electron-'));
  app = await stagePackagedApp(root, path.join(tmp, 'app'));
  // The renderer is built by vite (npm run build), which this test does not run: a stand-in page when absent.
  const page = path.join(app.dir, 'dist/renderer/index.html');
  if (!existsSync(page)) {
    await mkdir(path.dirname(page), { recursive: true });
    await writeFile(page, '<!doctype html><title>ModelDock</title>\n');
  }
  bigModel = paddedModel(await readFile(sampleModel));
  await writeFile(path.join(tmp, 'big.onnx'), bigModel);
  await writeFile(path.join(tmp, 'leads.csv'), `${csv}\n`);
  const input = {
    mainBundle: path.join(app.dir, 'dist/electron/main.cjs'),
    model: sampleModel,
    pickle: sklearnFixture,
    bigModel: path.join(tmp, 'big.onnx'),
    csv: path.join(tmp, 'leads.csv'),
    output: path.join(tmp, 'leads.scored.csv'),
    exportDir: path.join(tmp, 'export'),
  };
  const { stdout } = await run(
    process.execPath,
    [path.join(import.meta.dirname, 'drive-main-bundle.cjs'), JSON.stringify(input)],
    {
      cwd: tmp,
      env: {
        ...process.env,
        NODE_PATH: '', // nothing may be found outside the staged app's own node_modules
        NODE_OPTIONS: '',
        STUB_ELECTRON_DIR: tmp,
        MODELDOCK_DATA_DIR: '',
        MODELDOCK_USER_DATA_DIR: path.join(tmp, 'profile'),
      },
    },
  );
  result = JSON.parse(stdout.trim().split('\n').pop()!) as DriveResult;
}, 60_000);

afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

/** Every module specifier a built file loads with require() or import(). */
async function importsOf(file: string): Promise<string[]> {
  const source = await readFile(file, 'utf8');
  return [...source.matchAll(/\b(?:require|import)\(["'`]([^"'`$]+)["'`]\)/g)].map((match) => match[1]!);
}

describe('the packaged Electron app', () => {
  it('contains the bundles and no TypeScript, and leaves tsx and esbuild out of node_modules', async () => {
    const { readdirSync } = await import('node:fs');
    const files = readdirSync(app.dir, { recursive: true, encoding: 'utf8' }).filter(
      (file) => !file.startsWith('node_modules'),
    );
    for (const bundle of bundles) expect(files).toContain(path.join('dist', bundle));
    expect(files).not.toContain('dist/cli.cjs');
    expect(files.filter((file) => /\.(ts|mts|mjs)$/.test(file))).toEqual([]);
    // tsx and esbuild are development dependencies: nothing to leave out, nothing linked.
    expect(app.dependencies).not.toContain('tsx');
    expect(app.dependencies).not.toContain('esbuild');
    expect(app.dependencies).toContain('onnxruntime-node');
  });

  it('has bundles that import only Node built-ins, electron and the dependencies it ships', async () => {
    const { builtinModules } = await import('node:module');
    const available = new Set([...app.dependencies, 'electron', ...builtinModules]);
    for (const bundle of bundles) {
      const imports = await importsOf(path.join(app.dir, 'dist', bundle));
      const packages = imports
        .filter((specifier) => !specifier.startsWith('.'))
        .map((specifier) =>
          specifier
            .replace(/^node:/, '')
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        );
      expect(
        packages.filter((name) => !available.has(name)),
        bundle,
      ).toEqual([]);
    }
    expect(result.loadedModules.filter((file) => /[\\/](tsx|esbuild)[\\/]/.test(file))).toEqual([]);
  });
});

describe('the built Electron main process', () => {
  it('opens its window locked down, on the built renderer, with the preload', () => {
    expect(result.webPreferences).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      preload: path.join(app.dir, 'dist/electron/preload.cjs'),
    });
    expect(result.loadedUrl).toBe('app://modeldock/index.html');
  });

  it('serves the renderer over app:// from dist/renderer only, registered as privileged before ready', async () => {
    expect(result.privilegedSchemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true }, ready: false },
    ]);
    expect(result.page).toEqual({
      status: 200,
      contentType: 'text/html; charset=utf-8',
      csp: rendererCsp,
      body: await readFile(path.join(app.dir, 'dist/renderer/index.html'), 'utf8'),
    });
    expect(result.traversal.status).toBe(403);
    expect(result.traversal.body).not.toContain('"name"');
  });

  it('opens and scores the sample model over IPC, as the CLI does', async () => {
    expect(result.opened.ok).toBe(true);
    expect(result.opened.value?.file.sha256).toBe(
      createHash('sha256')
        .update(await readFile(sampleModel))
        .digest('hex'),
    );
    expect(result.predicted.ok).toBe(true);
    expect(result.predicted.value?.probability).toBeGreaterThan(0);
    expect(result.predicted.value?.probability).toBeLessThan(1);
  });

  it('converts a scikit-learn model with the converter bundled into main.cjs', () => {
    expect(result.pickle).toEqual({ ok: true, format: 'sklearn-joblib' });
  });

  it('hashes a large model on its checksum threads', () => {
    expect(result.bigModel).toEqual({
      ok: true,
      file: expect.objectContaining({
        sha256: createHash('sha256').update(bigModel).digest('hex'),
        md5: createHash('md5').update(bigModel).digest('hex'),
        sizeBytes: bigModel.length,
      }),
    });
  });

  it('batch-scores a CSV on the built worker (score-worker.cjs), as predict does', async () => {
    expect(result.scored).toMatchObject({ ok: true, value: { rows: 4, scored: 4, failed: 0 } });
    const [header, ...rows] = (await readFile(result.scored.value!.outputPath, 'utf8')).trim().split(/\r?\n/);
    const column = header!.split(',').indexOf('predicted_probability');
    expect(column).toBeGreaterThan(0);
    expect(rows).toHaveLength(4);
    expect(Number(rows[0]!.split(',')[column])).toBeCloseTo(result.predicted.value!.probability!, 6);
  });

  it('exports a Docker bundle from the template it ships', () => {
    expect(result.exported.ok).toBe(true);
    expect(result.exported.files).toEqual(expect.arrayContaining(['Dockerfile', 'model/model.onnx']));
  });

  it('refuses IPC from another page or a sub-frame', () => {
    expect(result.foreignPage).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    expect(result.subFrame).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('keeps its data in the profile (userData) directory, which MODELDOCK_USER_DATA_DIR can move', () => {
    expect(result.info.value).toMatchObject({ mode: 'electron', dataDir: path.join(tmp, 'profile') });
  });

  it('ships a preload that requires nothing but electron (sandboxed preloads can’t)', async () => {
    const preload = await readFile(path.join(app.dir, 'dist/electron/preload.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((match) => match[1]);
    expect(required).toEqual(['electron']);
    expect(preload).not.toContain('exposeInMainWorld("ipcRenderer"');
  });
});
