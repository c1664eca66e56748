import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { ModelService } from '../../main/models/model-service.ts';
import {
  guidePayload,
  linkDependencies,
  modeldockPredict,
  postJson,
  type RunningService,
  runUntilExit,
  sampleModel,
  startService,
  tempDir,
  zipMapModel,
} from './helpers.ts';

const execFileAsync = promisify(execFile);

// The bundle runs as a separate Node process with its own npm-installed dependencies (one `npm ci`
// per test run, shared by every bundle), exactly as it would in the container.
let models: ModelService;
let leadBundle: string;
let zipMapBundle: string;
let lead: RunningService;
let manifest: { name: string; model: { sha256: string } };

beforeAll(async () => {
  const dataDir = await tempDir('data');
  process.env.MODELDOCK_DATA_DIR = dataDir;
  models = new ModelService({ dataDir });
  const out = await tempDir('service');
  const leadInfo = await models.open(sampleModel);
  leadBundle = (
    await exportBundle(models, leadInfo.modelId, { outDir: path.join(out, 'lead'), name: 'lead-scoring' })
  ).path;
  const zipInfo = await models.open(zipMapModel);
  zipMapBundle = (
    await exportBundle(models, zipInfo.modelId, { outDir: path.join(out, 'multi'), version: 'v2' })
  ).path;
  await linkDependencies(leadBundle);
  await linkDependencies(zipMapBundle);
  manifest = JSON.parse(await readFile(path.join(leadBundle, 'manifest.json'), 'utf8'));
  lead = await startService(leadBundle, { MAX_BATCH: '5' });
}, 240_000);

afterAll(async () => {
  await lead?.stop();
  await models?.closeAll();
});

async function metricValue(url: string, pattern: RegExp): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((candidate) => pattern.test(candidate));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** The OIP v2 tensors for one lead row. */
function oipInputs(row: { lead_source: string; number_of_courses_viewed: number; annual_income: number }) {
  return [
    { name: 'lead_source', shape: [1, 1], datatype: 'BYTES', data: [row.lead_source] },
    {
      name: 'number_of_courses_viewed',
      shape: [1, 1],
      datatype: 'INT64',
      data: [row.number_of_courses_viewed],
    },
    { name: 'annual_income', shape: [1, 1], datatype: 'FP32', data: [row.annual_income] },
  ];
}

describe('the exported service', () => {
  it('ignores fields that are not inputs, names them in `ignored` and counts them in /metrics', async () => {
    const counted = /^ignored_fields_total\{field="industry"\}/;
    const before = await metricValue(lead.url, counted);
    const plain = await postJson(`${lead.url}/predict`, guidePayload);
    const record = { ...guidePayload, industry: 'retail', employment_status: 'employed' };
    const { status, json } = await postJson(`${lead.url}/predict`, record);
    expect(status).toBe(200);
    expect(json!.probability).toBe(plain.json!.probability);
    expect(json!.ignored).toEqual(['industry', 'employment_status']);
    expect((json!.warnings as { code: string; field: string }[]).slice(-2)).toEqual([
      { code: 'ignored-field', field: 'industry', message: 'industry: not an input of this model; ignored.' },
      {
        code: 'ignored-field',
        field: 'employment_status',
        message: 'employment_status: not an input of this model; ignored.',
      },
    ]);
    expect(plain.json!.ignored).toBeUndefined();
    const many = await postJson(`${lead.url}/predict`, { instances: [record, guidePayload] });
    expect(many.json!.ignored).toEqual(['industry', 'employment_status']);
    const oip = await postJson(`${lead.url}/v2/models/lead-scoring/infer`, {
      inputs: [
        ...oipInputs(guidePayload),
        { name: 'industry', shape: [1, 1], datatype: 'BYTES', data: ['x'] },
      ],
    });
    expect(oip.status).toBe(200);
    expect(oip.json!.parameters).toMatchObject({ ignored: ['industry'] });
    expect(await metricValue(lead.url, counted)).toBe(before + 3);
  });

  it("answers the guide's payload with the probability `modeldock predict` gives (≤ 1e-6)", async () => {
    const expected = await modeldockPredict(sampleModel, guidePayload);
    const { status, json } = await postJson(`${lead.url}/predict`, guidePayload);
    expect(status).toBe(200);
    expect(Math.abs(Number(json!.probability) - Number(expected.probability))).toBeLessThanOrEqual(1e-6);
    expect(json!.label).toEqual(expected.label);
    const probabilities = json!.probabilities as Record<string, number>;
    for (const [label, p] of Object.entries(expected.probabilities as Record<string, number>)) {
      expect(Math.abs(probabilities[label]! - p)).toBeLessThanOrEqual(1e-6);
    }
    expect(json!.model).toEqual({ name: 'lead-scoring', version: 'v1', sha256: manifest.model.sha256 });
    // "organic" is not one of the trained categories: scored, and said so, as in ModelDock.
    expect((json!.warnings as { code: string }[]).map((warning) => warning.code)).toEqual([
      'unknown-category',
    ]);
  });

  it('scores {"instances": [...]} like ModelDock and refuses more than MAX_BATCH rows', async () => {
    const rows = [
      guidePayload,
      { lead_source: 'paid_ads', number_of_courses_viewed: 1, annual_income: 79450 },
      { lead_source: 'referral', number_of_courses_viewed: 0, annual_income: 20000 },
    ];
    const expected = (await modeldockPredict(sampleModel, { instances: rows })) as {
      predictions: { probability: number }[];
    };
    const { status, json } = await postJson(`${lead.url}/predict`, { instances: rows });
    expect(status).toBe(200);
    const predictions = json!.predictions as { probability: number }[];
    expect(predictions).toHaveLength(3);
    predictions.forEach((prediction, index) => {
      expect(Math.abs(prediction.probability - expected.predictions[index]!.probability)).toBeLessThanOrEqual(
        1e-6,
      );
    });
    const tooMany = await postJson(`${lead.url}/predict`, {
      instances: Array.from({ length: 6 }, () => guidePayload),
    });
    expect(tooMany.status).toBe(422);
    expect(String(tooMany.json!.message)).toMatch(/at most 5 .*MAX_BATCH/);
  });

  it('passes its own smoke test (samples computed by ModelDock, to 1e-6)', async () => {
    const { stdout } = await execFileAsync(process.execPath, ['scripts/smoke.js', lead.url], {
      cwd: leadBundle,
    });
    expect(stdout).toMatch(/All 4 samples match ModelDock/);
  });

  it('serves a multiclass ZipMap model with the probabilities ModelDock computed', async () => {
    const service = await startService(zipMapBundle);
    try {
      const { stdout } = await execFileAsync(process.execPath, ['scripts/smoke.js', service.url], {
        cwd: zipMapBundle,
      });
      expect(stdout).toMatch(/All \d+ samples match ModelDock/);
      const sample = JSON.parse(await readFile(path.join(zipMapBundle, 'samples', 'payload-1.json'), 'utf8'));
      const { json } = await postJson(`${service.url}/predict`, sample.payload);
      expect(Object.keys(json!.probabilities as object).length).toBeGreaterThan(2);
    } finally {
      await service.stop();
    }
  });

  it('answers 422 with one message per field, refusing NaN, Infinity and missing fields', async () => {
    const { status, json } = await postJson(
      `${lead.url}/predict`,
      '{"lead_source": "organic", "number_of_courses_viewed": 2.5, "annual_income": 1e400, "color": "red"}',
    );
    expect(status).toBe(422);
    expect(json!.error).toBe('invalid-payload');
    const detail = json!.detail as { loc: string[]; msg: string }[];
    expect(detail.map((item) => item.loc.join('.'))).toEqual([
      'body.number_of_courses_viewed',
      'body.annual_income',
    ]);
    expect(detail[0]!.msg).toMatch(/whole number/);
    expect(detail[1]!.msg).toMatch(/finite number/);
    const nan = await postJson(`${lead.url}/predict`, { ...guidePayload, annual_income: 'NaN' });
    expect(nan.status).toBe(422);
    expect(String(nan.json!.message)).toMatch(/annual_income: expected a number, got the string "NaN"/);
    const missing = await postJson(`${lead.url}/predict`, { lead_source: 'organic' });
    expect(String(missing.json!.message)).toMatch(/number_of_courses_viewed: missing/);
    const notJson = await postJson(`${lead.url}/predict`, '{"lead_source": ');
    expect(notJson.status).toBe(400);
    expect(String(notJson.json!.message)).toMatch(/not valid JSON/);
  });

  it('counts requests, predictions and errors in /metrics, with the model identity', async () => {
    const ok = /^http_requests_total\{route="\/predict",method="POST",status="200"\}/;
    const bad = /^http_requests_total\{route="\/predict",method="POST",status="422"\}/;
    const before = [await metricValue(lead.url, ok), await metricValue(lead.url, bad)];
    for (let i = 0; i < 3; i++) await postJson(`${lead.url}/predict`, guidePayload);
    await postJson(`${lead.url}/predict`, {});
    expect(await metricValue(lead.url, ok)).toBe(before[0]! + 3);
    expect(await metricValue(lead.url, bad)).toBe(before[1]! + 1);
    const text = await (await fetch(`${lead.url}/metrics`)).text();
    expect(text).toContain(
      `model_info{name="lead-scoring",version="v1",sha256="${manifest.model.sha256}"} 1`,
    );
    expect(text).toMatch(/^http_request_duration_seconds_bucket\{le="0.005",route="\/predict"\} \d+/m);
    expect(text).toMatch(/^prediction_score_count \d+/m);
    expect(text).toMatch(/^errors_total\{kind="validation"\} [1-9]/m);
  });

  it('serves /openapi.json and a self-contained /docs from the input schema', async () => {
    const openapi = (await (await fetch(`${lead.url}/openapi.json`)).json()) as {
      components: { schemas: { Row: { required: string[] } } };
    };
    expect(openapi.components.schemas.Row.required).toEqual([
      'lead_source',
      'number_of_courses_viewed',
      'annual_income',
    ]);
    const docs = await (await fetch(`${lead.url}/docs`)).text();
    expect(docs).toContain('annual_income');
    expect(docs).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('requires the API key when API_KEY is set, except on health routes (and honours the other settings)', async () => {
    const secured = await startService(leadBundle, {
      API_KEY: 's3cret-key',
      UNKNOWN_FIELDS: 'refuse',
      BODY_LIMIT_BYTES: '2048',
    });
    try {
      expect((await postJson(`${secured.url}/predict`, guidePayload)).status).toBe(401);
      expect(
        (await postJson(`${secured.url}/predict`, guidePayload, { authorization: 'Bearer wrong' })).status,
      ).toBe(401);
      const denied = await postJson(`${secured.url}/predict`, guidePayload, { 'x-api-key': 's3cret' });
      expect(denied.status).toBe(401);
      expect(String(denied.json!.message)).toMatch(/API key/);
      expect(
        (await postJson(`${secured.url}/predict`, guidePayload, { authorization: 'Bearer s3cret-key' }))
          .status,
      ).toBe(200);
      expect(
        (await postJson(`${secured.url}/predict`, guidePayload, { 'x-api-key': 's3cret-key' })).status,
      ).toBe(200);
      expect((await fetch(`${secured.url}/metrics`)).status).toBe(401);
      for (const route of ['/health', '/ready', '/v2/health/live', '/v2/health/ready']) {
        expect((await fetch(`${secured.url}${route}`)).status, route).toBe(200);
      }
      const auth = { authorization: 'Bearer s3cret-key' };
      // UNKNOWN_FIELDS=refuse: an extra field is refused (422), and an extra tensor on /v2 too (400).
      const extra = await postJson(`${secured.url}/predict`, { ...guidePayload, converted: 1 }, auth);
      expect(extra.status).toBe(422);
      expect((extra.json!.detail as { loc: string[] }[])[0]!.loc).toEqual(['body', 'converted']);
      const extraTensor = await postJson(
        `${secured.url}/v2/models/lead-scoring/infer`,
        {
          inputs: [
            ...oipInputs(guidePayload),
            { name: 'converted', shape: [1, 1], datatype: 'FP32', data: [1] },
          ],
        },
        auth,
      );
      expect(extraTensor.status).toBe(400);
      expect(String(extraTensor.json!.error)).toMatch(/^converted: is not an input.*UNKNOWN_FIELDS=refuse/);
      const tooBig = await postJson(
        `${secured.url}/predict`,
        { ...guidePayload, lead_source: 'x'.repeat(4096) },
        auth,
      );
      expect(tooBig.status).toBe(413);
      expect(String(tooBig.json!.message)).toMatch(/BODY_LIMIT_BYTES/);
    } finally {
      await secured.stop();
    }
  });

  it('refuses to start when the model does not match manifest.json', async () => {
    const tampered = `${leadBundle}-tampered`;
    await cp(leadBundle, tampered, { recursive: true, verbatimSymlinks: true });
    const modelPath = path.join(tampered, 'model', 'model.onnx');
    const bytes = await readFile(modelPath);
    const last = bytes.length - 1;
    bytes.writeUInt8(bytes.readUInt8(last) ^ 0xff, last);
    await writeFile(modelPath, bytes);
    const { code, output } = await runUntilExit(tampered);
    expect(code).toBe(3);
    expect(output).toMatch(/Refusing to start: model\/model.onnx does not match manifest.json/);
    expect(output).toContain(manifest.model.sha256);
  });

  it('finishes a request in flight on SIGTERM, then exits 0', async () => {
    const service = await startService(leadBundle);
    const { port } = new URL(service.url);
    const body = JSON.stringify(guidePayload);
    const socket = net.connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    let response = '';
    socket.on('data', (chunk) => {
      response += chunk.toString();
    });
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    // Headers and half the body now; the request is in flight when SIGTERM arrives.
    socket.write(
      `POST /predict HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 10)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    service.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(service.child.exitCode).toBeNull();
    socket.write(body.slice(10));
    const code = await service.exited;
    await closed;
    expect(response).toMatch(/^HTTP\/1.1 200/);
    expect(response).toContain('"probability"');
    expect(code).toBe(0);
    expect(service.logs()).toMatch(/"event":"draining"[\s\S]*"event":"stopped"/);
  });

  it('answers any malformed /predict body with a 4xx and a message, never a 5xx (fast-check)', async () => {
    const fieldValue = fc.oneof(
      fc.jsonValue(),
      fc.constantFrom('NaN', 'Infinity', '-Infinity', '', ' ', '1e400', '5', '0x10', null, true, [], {}),
      fc.double(),
      fc.string(),
    );
    const mutatedPayload = fc
      .record({
        lead_source: fieldValue,
        number_of_courses_viewed: fieldValue,
        annual_income: fieldValue,
        extra: fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue()), { nil: undefined }),
      })
      .map(({ extra, ...row }) => ({ ...row, ...(extra ?? {}) }));
    const body = fc.oneof(
      mutatedPayload.map((payload) => JSON.stringify(payload)),
      mutatedPayload.map((payload) => JSON.stringify({ instances: [payload, guidePayload] })),
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc.string({ maxLength: 60 }),
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const { status, json } = await postJson(`${lead.url}/predict`, text);
        expect(status).toBeLessThan(500);
        if (status !== 200) {
          expect(status).toBeGreaterThanOrEqual(400);
          expect(typeof json?.message).toBe('string');
          expect(String(json?.message).length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 300 },
    );
    expect((await fetch(`${lead.url}/health`)).status).toBe(200);
  });

  it('writes nothing but JSON lines to stdout and stderr, from start to stop', async () => {
    const service = await startService(leadBundle);
    await postJson(`${service.url}/predict`, guidePayload);
    await postJson(`${service.url}/predict`, { lead_source: 'organic' });
    expect(await service.stop()).toBe(0);
    // Log collectors parse every line; a runtime warning (such as a deprecation notice) would break them.
    for (const output of [service.logs(), lead.logs()]) {
      const lines = output.split('\n').filter((line) => line.trim() !== '');
      expect(lines.length).toBeGreaterThan(2);
      expect(lines.filter((line) => !isJson(line))).toEqual([]);
    }
  });
});

function isJson(line: string): boolean {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}
