import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as tar from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { createHandlerTable, dispatch } from '../../main/handlers.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { createAppServices } from '../../main/services.ts';
import type { ProgressEvent } from '../../shared/contract/index.ts';
import { cli, guidePayload, modeldockPredict, sampleModel, tempDir, zipMapModel } from './helpers.ts';

let dataDir: string;
let out: string;
let models: ModelService;

beforeAll(async () => {
  dataDir = await tempDir('data');
  out = await tempDir('writer');
  process.env.MODELDOCK_DATA_DIR = dataDir;
  models = new ModelService({ dataDir });
});

afterAll(async () => {
  await models.closeAll();
});

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
}

describe('modeldock export (the sample model)', () => {
  it('writes a complete bundle whose SHA256SUMS and manifest match every file', async () => {
    const target = path.join(out, 'lead');
    const result = await cli([
      'export',
      sampleModel,
      '--out',
      target,
      '--name',
      'lead-scoring',
      '--model-version',
      'v7',
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const summary = JSON.parse(result.stdout) as { path: string; files: string[]; modelSha256: string };
    expect(summary.path).toBe(target);
    for (const file of [
      'Dockerfile',
      '.dockerignore',
      'package.json',
      'package-lock.json',
      'server/main.js',
      'server/runtime.generated.js',
      'model/model.onnx',
      'model/original/lead_scoring.onnx',
      'manifest.json',
      'SHA256SUMS',
      'README.md',
      'docker-compose.yml',
      'k8s/deployment.yaml',
      'k8s/service.yaml',
      'k8s/hpa.yaml',
      'samples/payload-1.json',
      'samples/batch.json',
      'scripts/smoke.js',
    ]) {
      expect(summary.files, file).toContain(file);
      expect(existsSync(path.join(target, file)), file).toBe(true);
    }

    // SHA256SUMS in `sha256sum -c` format covers every other file, and every hash is right.
    const sums = (await readFile(path.join(target, 'SHA256SUMS'), 'utf8')).trim().split('\n');
    expect(sums.length).toBe(summary.files.length - 1);
    for (const line of sums) {
      const match = /^([0-9a-f]{64}) {2}(.+)$/.exec(line);
      expect(match, line).not.toBeNull();
      expect(sha256(await readFile(path.join(target, match![2]!))), match![2]).toBe(match![1]);
    }

    const manifest = await readJson(path.join(target, 'manifest.json'));
    expect(manifest.name).toBe('lead-scoring');
    expect(manifest.version).toBe('v7');
    expect(Date.parse(String(manifest.createdAt))).not.toBeNaN();
    const model = manifest.model as {
      sha256: string;
      inputs: { name: string }[];
      outputs: { meaning: string }[];
    };
    const servedBytes = await readFile(path.join(target, 'model', 'model.onnx'));
    expect(model.sha256).toBe(sha256(servedBytes));
    expect(summary.modelSha256).toBe(model.sha256);
    expect(model.inputs.map((input) => input.name)).toEqual([
      'lead_source',
      'number_of_courses_viewed',
      'annual_income',
    ]);
    expect(model.outputs.every((output) => output.meaning.length > 0)).toBe(true);
    const files = manifest.files as Record<string, { sha256: string }>;
    expect(files['model/model.onnx']?.sha256).toBe(model.sha256);
    expect(files['model/original/lead_scoring.onnx']?.sha256).toBe(sha256(await readFile(sampleModel)));
    expect((manifest.inputSchema as { required: string[] }).required).toHaveLength(3);

    // The served model is the one ModelDock runs (ZipMap bypassed), not the user's file.
    const info = await models.open(sampleModel);
    expect(Buffer.from(models.get(info.modelId).servedModelBytes).equals(servedBytes)).toBe(true);
    expect(info.zipMapRemoved).toBe(true);
  });

  it("puts ModelDock's own answers in samples/ and the README", async () => {
    const target = path.join(out, 'lead');
    const first = await readJson(path.join(target, 'samples', 'payload-1.json'));
    expect(first.payload).toEqual(guidePayload);
    const predicted = await modeldockPredict(sampleModel, guidePayload);
    const expected = first.expected as { probability: number; label: unknown };
    expect(Math.abs(expected.probability - Number(predicted.probability))).toBeLessThanOrEqual(1e-6);
    expect(expected.label).toEqual(predicted.label);

    const readme = await readFile(path.join(target, 'README.md'), 'utf8');
    expect(readme).not.toMatch(/\{\{[A-Z_]+\}\}/);
    expect(readme).toContain(String(expected.probability));
    expect(readme).toContain('requests.post(url, json=payload).json()');
    expect(readme).toContain('docker build -t lead-scoring:v7 .');
    expect(readme).toContain('podman');
    for (const heading of ['Troubleshooting', 'Cloud Run', 'Kubernetes', 'App Runner', 'Fly'])
      expect(readme).toContain(heading);

    const batch = await readJson(path.join(target, 'samples', 'batch.json'));
    const rows = (batch.payload as { instances: unknown[] }).instances;
    const batchExpected = (batch.expected as { predictions: { probability: number }[] }).predictions;
    expect(batchExpected).toHaveLength(rows.length);
  });

  it('renders Kubernetes manifests with probes, limits and a non-root read-only container', async () => {
    const deployment = await readFile(path.join(out, 'lead', 'k8s', 'deployment.yaml'), 'utf8');
    for (const text of [
      'readinessProbe',
      'livenessProbe',
      'runAsNonRoot: true',
      'readOnlyRootFilesystem: true',
      'limits:',
      'requests:',
    ]) {
      expect(deployment).toContain(text);
    }
    expect(deployment).toContain('name: "lead-scoring"');
    expect(deployment).toContain('image: "lead-scoring:v7"');
    // Every placeholder of every rendered template is filled (a formatter once turned {{X}} into { { X } }).
    for (const file of [
      'README.md',
      'docker-compose.yml',
      'k8s/deployment.yaml',
      'k8s/service.yaml',
      'k8s/hpa.yaml',
    ]) {
      const text = await readFile(path.join(out, 'lead', file), 'utf8');
      expect(text, file).not.toMatch(/\{\s*\{/);
    }
    const hpa = await readFile(path.join(out, 'lead', 'k8s', 'hpa.yaml'), 'utf8');
    expect(hpa).toContain('kind: HorizontalPodAutoscaler');
  });

  it('refuses an existing target without --force and replaces it with --force', async () => {
    const target = path.join(out, 'lead');
    const marker = path.join(target, 'marker.txt');
    await writeFile(marker, 'keep me unless forced');
    const refused = await cli(['export', sampleModel, '--out', target]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/already exists/);
    expect(existsSync(marker)).toBe(true);
    const forced = await cli(['export', sampleModel, '--out', target, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(path.join(target, 'manifest.json'))).toBe(true);
  });

  it('refuses a model whose checksum does not match, and writes nothing', async () => {
    const target = path.join(out, 'mismatch');
    const result = await cli(['export', sampleModel, '--out', target, '--expect', '0'.repeat(64), '--json']);
    expect(result.code).toBe(3);
    expect((JSON.parse(result.stdout) as { error: { code: string } }).error.code).toBe('checksum-mismatch');
    expect(existsSync(target)).toBe(false);
  });

  it('leaves no partial folder behind when cancelled', async () => {
    const info = await models.open(sampleModel);
    const controller = new AbortController();
    const target = path.join(out, 'cancelled');
    const stages: string[] = [];
    await expect(
      exportBundle(models, info.modelId, {
        outDir: target,
        signal: controller.signal,
        onProgress: ({ stage }) => {
          stages.push(stage);
          if (stage === 'Computing checksums') controller.abort();
        },
      }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(stages).toContain('Writing the bundle');
    expect(existsSync(target)).toBe(false);
    expect((await readdir(out)).filter((name) => name.includes('partial'))).toEqual([]);
  });
});

describe('export of a ZipMap model and archives', () => {
  it('exports a multiclass ZipMap model as .zip and .tar.gz with one top folder', async () => {
    const zipResult = await cli([
      'export',
      zipMapModel,
      '--out',
      path.join(out, 'multi'),
      '--format',
      'zip',
      '--json',
    ]);
    expect(zipResult.code, zipResult.stderr).toBe(0);
    const zipSummary = JSON.parse(zipResult.stdout) as { path: string; name: string };
    expect(zipSummary.path).toBe(path.join(out, 'multi.zip'));
    const zipBytes = await readFile(zipSummary.path);
    expect(zipBytes.subarray(0, 2).toString()).toBe('PK');
    expect(zipBytes.includes(Buffer.from(`${zipSummary.name}/model/model.onnx`))).toBe(true);

    const tarResult = await cli([
      'export',
      zipMapModel,
      '--out',
      path.join(out, 'multi'),
      '--format',
      'tar.gz',
      '--json',
    ]);
    expect(tarResult.code, tarResult.stderr).toBe(0);
    const entries: string[] = [];
    await tar.list({
      file: path.join(out, 'multi.tar.gz'),
      onReadEntry: (entry) => entries.push(entry.path),
    });
    expect(entries).toContain('zipmap-multiclass-str/manifest.json');
    expect(entries).toContain('zipmap-multiclass-str/model/model.onnx');
    expect(entries.every((entry) => entry.startsWith('zipmap-multiclass-str/'))).toBe(true);
  });
});

describe('export through the handler table (what the app and the browser host call)', () => {
  it('validates the request, reports progress under the operationId, and refuses a bad name', async () => {
    const services = createAppServices({ mode: 'cli', dataDir });
    const table = createHandlerTable(services);
    const events: ProgressEvent[] = [];
    const context = {
      emit: (event: ProgressEvent) => events.push(event),
      signal: new AbortController().signal,
    };
    try {
      const opened = await dispatch<'model.open'>(table, 'model.open', { path: sampleModel }, context);
      if (!opened.ok) throw new Error(opened.error.message);
      const modelId = opened.value.modelId;
      const defaults = await dispatch<'export.defaults'>(table, 'export.defaults', { modelId }, context);
      expect(defaults.ok && defaults.value).toMatchObject({
        name: 'lead-scoring',
        version: 'v1',
        exportable: true,
      });

      const badName = await dispatch(
        table,
        'export.bundle',
        { modelId, outDir: path.join(out, 'x'), name: '../evil' },
        context,
      );
      expect(badName.ok).toBe(false);
      expect(!badName.ok && badName.error.code).toBe('bad-request');

      const target = path.join(out, 'via-handlers');
      const result = await dispatch<'export.bundle'>(
        table,
        'export.bundle',
        { modelId, outDir: target, version: 'v2', operationId: 'export-1' },
        context,
      );
      expect(result.ok).toBe(true);
      expect(result.ok && result.value.path).toBe(target);
      expect(events.map((event) => event.stage)).toEqual([
        'Checking the model',
        'Scoring samples',
        'Writing the bundle',
        'Computing checksums',
        'Finishing',
      ]);
      expect(events.every((event) => event.operationId === 'export-1' && event.unit === 'steps')).toBe(true);

      await dispatch(table, 'model.verifyChecksum', { modelId, expected: 'f'.repeat(32) }, context);
      const blocked = await dispatch<'export.defaults'>(table, 'export.defaults', { modelId }, context);
      expect(blocked.ok && blocked.value.exportable).toBe(false);
      expect(blocked.ok && blocked.value.reason).toMatch(/MD5/);
      const refused = await dispatch(
        table,
        'export.bundle',
        { modelId, outDir: path.join(out, 'refused') },
        context,
      );
      expect(!refused.ok && refused.error.code).toBe('checksum-mismatch');
    } finally {
      await services.dispose();
    }
  });
});

describe('golden samples travel into the bundle', () => {
  it('puts the samples saved in the library first in samples/, with the answers ModelDock gives now', async () => {
    const services = createAppServices({ mode: 'cli', dataDir: await tempDir('golden') });
    try {
      const info = await services.models.open(sampleModel);
      const referral = { lead_source: 'referral', number_of_courses_viewed: 3, annual_income: 52000 };
      await services.library.saveSample(info.modelId, 'referral lead', referral);
      const target = path.join(out, 'golden');
      await services.exporter.exportBundle(info.modelId, { outDir: target, name: 'golden', version: 'v1' });
      const first = await readJson(path.join(target, 'samples', 'payload-1.json'));
      expect(first.payload).toEqual(referral);
      const predicted = await modeldockPredict(sampleModel, referral);
      const expected = first.expected as { probability: number };
      expect(Math.abs(expected.probability - Number(predicted.probability))).toBeLessThanOrEqual(1e-6);
      // The schema-built defaults still follow, so the smoke test covers more than the saved rows.
      const second = await readJson(path.join(target, 'samples', 'payload-2.json'));
      expect(second.payload).toEqual(guidePayload);
    } finally {
      await services.dispose();
    }
  });
});
