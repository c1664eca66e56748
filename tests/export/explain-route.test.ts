// POST /explain in the exported service: the app's explanation (the same generated code, the same
// background rows), a 404 that says what to do when the bundle has no background, and its metric.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../main/services.ts';
import { explanationSchema } from '../../shared/contract/index.ts';
import {
  guidePayload,
  linkDependencies,
  postJson,
  type RunningService,
  repoRoot,
  sampleModel,
  startService,
  tempDir,
} from './helpers.ts';

const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');
let services: ReturnType<typeof createAppServices>;
let modelId: string;
let withBackground: RunningService;
let without: RunningService;
let bundleFiles: string[];

beforeAll(async () => {
  services = createAppServices({ mode: 'cli', dataDir: await tempDir('explain-data') });
  modelId = (await services.models.open(sampleModel)).modelId;
  const out = await tempDir('explain-bundles');
  const explained = await services.exporter.exportBundle(modelId, {
    outDir: path.join(out, 'with'),
    explain: { backgroundCsv: leadCsv },
  });
  bundleFiles = explained.files;
  const plain = await services.exporter.exportBundle(modelId, { outDir: path.join(out, 'without') });
  await linkDependencies(explained.path);
  await linkDependencies(plain.path);
  withBackground = await startService(explained.path);
  without = await startService(plain.path);
}, 240_000);

afterAll(async () => {
  await withBackground?.stop();
  await without?.stop();
  await services?.dispose();
});

describe('POST /explain', () => {
  it('answers with the app’s explanation of the same payload against the same background', async () => {
    expect(bundleFiles).toContain('explain/background.json');
    const payload = { ...guidePayload, lead_source: 'paid_ads' };
    const response = await postJson(`${withBackground.url}/explain`, payload);
    expect(response.status).toBe(200);
    const served = explanationSchema.parse(response.json);
    const app = await services.explainer.explain(modelId, payload, { backgroundCsv: leadCsv });
    expect(served.background).toEqual(app.background);
    expect(served.target).toEqual(app.target);
    expect(served.summary).toBe(app.summary);
    expect(Math.abs(served.value - app.value)).toBeLessThanOrEqual(1e-12);
    expect(Math.abs(served.baseValue - app.baseValue)).toBeLessThanOrEqual(1e-12);
    served.contributions.forEach((c, i) => {
      expect(c.input).toBe(app.contributions[i]!.input);
      expect(Math.abs(c.contribution - app.contributions[i]!.contribution)).toBeLessThanOrEqual(1e-12);
    });
    expect((response.json as { model: { name: string } }).model.name).toBeTruthy();
  });

  it('takes one payload at a time, validated as /predict validates it', async () => {
    const many = await postJson(`${withBackground.url}/explain`, { instances: [guidePayload] });
    expect(many.status).toBe(422);
    const bad = await postJson(`${withBackground.url}/explain`, { ...guidePayload, annual_income: 'lots' });
    expect(bad.status).toBe(422);
    expect((bad.json as { message: string }).message).toMatch(/annual_income/);
  });

  it('is in /openapi.json, with the number of background rows', async () => {
    const openapi = (await (await fetch(`${withBackground.url}/openapi.json`)).json()) as {
      paths: Record<string, { post: { summary: string } }>;
    };
    expect(openapi.paths['/explain']!.post.summary).toContain('against the 1000 background rows');
  });

  it('counts explanations in /metrics', async () => {
    const text = await (await fetch(`${withBackground.url}/metrics`)).text();
    expect(text).toMatch(/^explanations_total\{method="exact"\} [1-9]/m);
    expect(text).toMatch(/^http_requests_total\{route="\/explain",method="POST",status="200"\} [1-9]/m);
  });

  it('is a 404 that says how to get it when the bundle was exported without background rows', async () => {
    const response = await postJson(`${without.url}/explain`, guidePayload);
    expect(response.status).toBe(404);
    expect(response.json).toEqual({
      error: 'not-found',
      message:
        'This service was exported without background rows, so it cannot explain predictions. Export the model again from ModelDock with background rows for /explain (a reference CSV, a CSV you pick, or the golden samples).',
    });
  });
});
