// The exported service against the Open Inference Protocol v2 as KServe specifies it (REST:
// kserve/open-inference-protocol, specification/protocol/inference_rest.md): health, server and
// model metadata, readiness and inference, each model route with and without /versions/<version>;
// errors as {"error": "<message>"}; and /openapi.json declaring every status the server answered here.
import path from 'node:path';
import { validate } from '@readme/openapi-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { ModelService } from '../../main/models/model-service.ts';
import {
  guidePayload,
  linkDependencies,
  modeldockPredict,
  type RunningService,
  repoRoot,
  sampleModel,
  startService,
  tempDir,
} from './helpers.ts';

/** A DictVectorizer pipeline: FP64 inputs, every one of which the model may go without. */
const dictModel = path.join(repoRoot, 'tests', 'fixtures', 'sklearn', 'dv_decision_tree.pickle5.pkl');

let models: ModelService;
let lead: RunningService;
let dict: RunningService;
/** Every (path, method, status) the checks saw, to hold /openapi.json to. */
const seen: { url: string; path: string; method: string; status: number }[] = [];

beforeAll(async () => {
  const dataDir = await tempDir('oip-data');
  process.env.MODELDOCK_DATA_DIR = dataDir;
  models = new ModelService({ dataDir });
  const out = await tempDir('oip');
  const leadInfo = await models.open(sampleModel);
  const leadBundle = (
    await exportBundle(models, leadInfo.modelId, { outDir: path.join(out, 'lead'), name: 'lead-scoring' })
  ).path;
  const dictInfo = await models.open(dictModel);
  const dictBundle = (
    await exportBundle(models, dictInfo.modelId, {
      outDir: path.join(out, 'dict'),
      name: 'dict',
      version: '3',
    })
  ).path;
  await linkDependencies(leadBundle);
  await linkDependencies(dictBundle);
  [lead, dict] = await Promise.all([startService(leadBundle), startService(dictBundle)]);
}, 240_000);

afterAll(async () => {
  await lead?.stop();
  await dict?.stop();
  await models?.closeAll();
});

async function call(service: RunningService, method: 'GET' | 'POST', route: string, body?: unknown) {
  const response = await fetch(`${service.url}${route}`, {
    method,
    ...(body === undefined
      ? {}
      : {
          headers: { 'content-type': 'application/json' },
          body: typeof body === 'string' ? body : JSON.stringify(body),
        }),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  seen.push({ url: service.url, path: route, method: method.toLowerCase(), status: response.status });
  return { status: response.status, json: json!, text };
}

/** A 4xx answered as the protocol says: {"error": "<message>"} and nothing else. */
function expectOipError(
  answer: { status: number; json: Record<string, unknown> },
  status: number,
  pattern: RegExp,
) {
  expect(answer.status).toBe(status);
  expect(Object.keys(answer.json)).toEqual(['error']);
  expect(String(answer.json.error)).toMatch(pattern);
}

const leadTensors = (rows: (typeof guidePayload)[]) => [
  {
    name: 'lead_source',
    shape: [rows.length, 1],
    datatype: 'BYTES',
    data: rows.map((row) => row.lead_source),
  },
  {
    name: 'number_of_courses_viewed',
    shape: [rows.length, 1],
    datatype: 'INT64',
    data: rows.map((row) => row.number_of_courses_viewed),
  },
  {
    name: 'annual_income',
    shape: [rows.length, 1],
    datatype: 'FP32',
    data: rows.map((row) => row.annual_income),
  },
];

const infer = '/v2/models/lead-scoring/infer';
const versionedInfer = '/v2/models/lead-scoring/versions/v1/infer';

describe('Open Inference Protocol v2 (KServe REST spec)', () => {
  it('health: live and ready answer 200', async () => {
    expect((await call(lead, 'GET', '/v2/health/live')).status).toBe(200);
    expect((await call(lead, 'GET', '/v2/health/ready')).status).toBe(200);
  });

  it('server metadata: name, version and extensions', async () => {
    const { status, json } = await call(lead, 'GET', '/v2');
    expect(status).toBe(200);
    expect(json).toMatchObject({ name: expect.any(String), version: expect.any(String), extensions: [] });
  });

  it('model metadata, with and without the version, names the platform onnx_onnxv1', async () => {
    const plain = await call(lead, 'GET', '/v2/models/lead-scoring');
    const versioned = await call(lead, 'GET', '/v2/models/lead-scoring/versions/v1');
    expect(plain.status).toBe(200);
    expect(versioned.json).toEqual(plain.json);
    expect(plain.json).toMatchObject({ name: 'lead-scoring', versions: ['v1'], platform: 'onnx_onnxv1' });
    expect(
      (plain.json.inputs as { name: string; datatype: string; shape: number[] }[]).map((t) => t.datatype),
    ).toEqual(['BYTES', 'INT64', 'FP32']);
    const dictMetadata = await call(dict, 'GET', '/v2/models/dict/versions/3');
    expect(
      (dictMetadata.json.inputs as { datatype: string }[]).every(
        (t) => t.datatype === 'FP64' || t.datatype === 'BYTES',
      ),
    ).toBe(true);
  });

  it('model readiness, with and without the version', async () => {
    expect((await call(lead, 'GET', '/v2/models/lead-scoring/ready')).status).toBe(200);
    expect((await call(lead, 'GET', '/v2/models/lead-scoring/versions/v1/ready')).status).toBe(200);
  });

  it('an unknown model or version is a 404 with {"error": …} on every model route', async () => {
    for (const route of [
      '/v2/models/other',
      '/v2/models/other/ready',
      '/v2/models/lead-scoring/versions/v9',
      '/v2/models/lead-scoring/versions/v9/ready',
    ]) {
      expectOipError(await call(lead, 'GET', route), 404, /serves/);
    }
    expectOipError(
      await call(lead, 'POST', '/v2/models/lead-scoring/versions/v9/infer', {
        inputs: leadTensors([guidePayload]),
      }),
      404,
      /version "v1".*not "v9"/,
    );
    expectOipError(await call(lead, 'GET', '/v2/nothing-here'), 404, /There is no GET/);
  });

  it("infers with and without the version, with ModelDock's probabilities, echoing the id", async () => {
    const expected = await modeldockPredict(sampleModel, guidePayload);
    for (const route of [infer, versionedInfer]) {
      const { status, json } = await call(lead, 'POST', route, {
        id: 'req-7',
        inputs: leadTensors([guidePayload]),
      });
      expect(status).toBe(200);
      expect(json).toMatchObject({ model_name: 'lead-scoring', model_version: 'v1', id: 'req-7' });
      const outputs = json.outputs as { name: string; datatype: string; shape: number[]; data: number[] }[];
      const probability = outputs.find((output) => output.name === 'output_probability')!;
      expect(probability).toMatchObject({ datatype: 'FP32', shape: [1, 2] });
      expect(Math.abs(probability.data[1]! - Number(expected.probability))).toBeLessThanOrEqual(1e-6);
      const label = outputs.find((output) => output.name === 'output_label')!;
      expect(label.shape).toEqual([1]);
    }
  });

  it('scores several rows as /predict scores the same instances', async () => {
    const rows = [
      guidePayload,
      { lead_source: 'paid_ads', number_of_courses_viewed: 1, annual_income: 79450 },
      { lead_source: 'referral', number_of_courses_viewed: 0, annual_income: 20000 },
    ];
    const predicted = await call(lead, 'POST', '/predict', { instances: rows });
    const inferred = await call(lead, 'POST', infer, { inputs: leadTensors(rows) });
    const probability = (inferred.json.outputs as { name: string; data: number[] }[]).find(
      (output) => output.name === 'output_probability',
    )!;
    const positives = probability.data.filter((_value, index) => index % 2 === 1);
    expect(positives).toEqual(
      (predicted.json.predictions as { probability: number }[]).map((prediction) => prediction.probability),
    );
  });

  it('takes data flat or nested as the shape is, and refuses nesting deeper than the shape (7,000 levels: 400)', async () => {
    const nested = leadTensors([guidePayload]).map((tensor) => ({ ...tensor, data: [tensor.data] }));
    const flat = await call(lead, 'POST', infer, { inputs: leadTensors([guidePayload]) });
    const deep = await call(lead, 'POST', infer, { inputs: nested });
    expect(deep.status).toBe(200);
    expect(deep.json.outputs).toEqual(flat.json.outputs);
    const tooDeep = `${'['.repeat(7000)}75000${']'.repeat(7000)}`;
    const body = `{"inputs": [{"name": "annual_income", "shape": [1, 1], "datatype": "FP32", "data": ${tooDeep}}]}`;
    expectOipError(await call(lead, 'POST', infer, body), 400, /nested deeper than its shape/);
    expect((await call(lead, 'GET', '/v2/health/live')).status).toBe(200);
  });

  it('refuses numbers that overflow the input type: 1e39 for FP32, 1e309 for FP64, 2.5 for INT64', async () => {
    const withIncome = (value: string) =>
      `{"inputs": [{"name": "lead_source", "shape": [1, 1], "datatype": "BYTES", "data": ["organic"]}, {"name": "number_of_courses_viewed", "shape": [1, 1], "datatype": "INT64", "data": [5]}, {"name": "annual_income", "shape": [1, 1], "datatype": "FP32", "data": [${value}]}]}`;
    expect((await call(lead, 'POST', infer, withIncome('3.4e38'))).status).toBe(200);
    expectOipError(
      await call(lead, 'POST', infer, withIncome('1e39')),
      400,
      /annual_income.*too large.*float/,
    );
    // /predict refuses the same value.
    expect((await call(lead, 'POST', '/predict', { ...guidePayload, annual_income: 1e39 })).status).toBe(422);
    const fp64 = (value: string) =>
      `{"inputs": [{"name": "annual_income", "shape": [1, 1], "datatype": "FP64", "data": [${value}]}]}`;
    expect((await call(dict, 'POST', '/v2/models/dict/infer', fp64('1e308'))).status).toBe(200);
    expectOipError(
      await call(dict, 'POST', '/v2/models/dict/infer', fp64('1e309')),
      400,
      /annual_income.*finite/,
    );
    const int = leadTensors([guidePayload]).map((tensor) =>
      tensor.datatype === 'INT64' ? { ...tensor, data: [2.5] } : tensor,
    );
    expectOipError(
      await call(lead, 'POST', infer, { inputs: int }),
      400,
      /number_of_courses_viewed.*whole number/,
    );
  });

  it('answers only the outputs requested, and a 400 naming the outputs for one that does not exist', async () => {
    const only = await call(lead, 'POST', infer, {
      inputs: leadTensors([guidePayload]),
      outputs: [{ name: 'output_probability' }],
    });
    expect(only.status).toBe(200);
    expect((only.json.outputs as { name: string }[]).map((output) => output.name)).toEqual([
      'output_probability',
    ]);
    expectOipError(
      await call(lead, 'POST', infer, { inputs: leadTensors([guidePayload]), outputs: [{ name: 'nope' }] }),
      400,
      /no output named "nope".*output_label, output_probability/,
    );
  });

  it('lets inputs the model may go without be left out, as /predict does', async () => {
    const row = { annual_income: 75000, lead_source: 'organic' };
    const predicted = await call(dict, 'POST', '/predict', row);
    expect(predicted.status).toBe(200);
    const inferred = await call(dict, 'POST', '/v2/models/dict/versions/3/infer', {
      inputs: [
        { name: 'annual_income', shape: [1, 1], datatype: 'FP64', data: [75000] },
        { name: 'lead_source', shape: [1, 1], datatype: 'BYTES', data: ['organic'] },
      ],
    });
    expect(inferred.status).toBe(200);
    const probability = (inferred.json.outputs as { name: string; data: number[] }[]).find((output) =>
      /probab/.test(output.name),
    )!;
    expect(probability.data[1]).toBeCloseTo(Number(predicted.json.probability), 6);
    // The lead model's inputs are all required.
    expectOipError(
      await call(lead, 'POST', infer, { inputs: leadTensors([guidePayload]).slice(0, 2) }),
      400,
      /Input "annual_income" is missing/,
    );
  });

  it('refuses malformed requests with a 400 and a readable {"error"}', async () => {
    const cases: [unknown, RegExp][] = [
      [{}, /"inputs"/],
      [{ inputs: [] }, /empty/],
      [
        { inputs: [{ name: 'lead_source', shape: [1, 1], datatype: 'FP32', data: [1] }] },
        /lead_source.*BYTES/,
      ],
      [{ inputs: [leadTensors([guidePayload])[0], leadTensors([guidePayload])[0]] }, /sent twice/],
      [
        { inputs: leadTensors([guidePayload]).map((tensor) => ({ ...tensor, shape: [2, 1] })) },
        /needs 2 values/,
      ],
      ['{"inputs": ', /not valid JSON/],
    ];
    for (const [body, pattern] of cases) expectOipError(await call(lead, 'POST', infer, body), 400, pattern);
    // A tensor that is not a model input follows ModelDock's rule for unknown fields: ignored, and said so.
    const extra = await call(lead, 'POST', infer, {
      inputs: [...leadTensors([guidePayload]), { name: 'color', shape: [1], datatype: 'BYTES', data: ['x'] }],
    });
    expect(extra.status).toBe(200);
    expect((extra.json.parameters as { ignored: string[] }).ignored).toEqual(['color']);
  });

  it('/openapi.json is a valid OpenAPI 3.1 document declaring every status answered above', async () => {
    for (const [service, versioned] of [
      [lead, versionedInfer],
      [dict, '/v2/models/dict/versions/3/infer'],
    ] as const) {
      const openapi = (await (await fetch(`${service.url}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>>;
      };
      const result = await validate(structuredClone(openapi) as never);
      expect(result.valid, result.valid ? '' : JSON.stringify(result.errors)).toBe(true);
      expect(openapi.paths[versioned]?.post?.requestBody).toBeDefined();
      const undeclared = seen
        .filter((call) => call.url === service.url && openapi.paths[call.path])
        .filter((call) => !openapi.paths[call.path]![call.method]?.responses[String(call.status)])
        .map((call) => `${call.method.toUpperCase()} ${call.path} → ${call.status}`);
      expect([...new Set(undeclared)]).toEqual([]);
    }
    expect(seen.length).toBeGreaterThan(30);
  });
});
