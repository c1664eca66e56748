// The Open Inference Protocol v2 checks, as KServe specifies it (REST: kserve/open-inference-protocol,
// specification/protocol/inference_rest.md): health, server and model metadata, readiness and inference,
// each model route with and without /versions/<version>; errors as {"error": "<message>"}; and
// /openapi.json declaring every status the server answered here.
//
// One list of checks, run against any running exported service by URL: tests/export/oip-conformance.test.ts
// runs it against bundles started on this machine, scripts/container-test.sh against the same bundles
// running in their container image. Run by hand:
//   npx tsx tests/export/oip-checks.ts --lead <url> --lead-name <name> --lead-version <version> \
//     --lead-probability <modeldock predict's probability of the guide payload> \
//     --dict <url> --dict-name <name> --dict-version <version>
// It prints PASS or FAIL per check and exits 1 when any fails.
import assert from 'node:assert/strict';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { validate } from '@readme/openapi-parser';
import { guidePayload } from '../../main/export/samples.ts';

/** One running model service. */
export interface OipService {
  url: string;
  /** The model's name and version as exported (the /v2/models/<name>/versions/<version> routes). */
  name: string;
  version: string;
}

export interface OipTargets {
  /**
   * The sample lead model (assets/models/lead_scoring.onnx): inputs lead_source BYTES,
   * number_of_courses_viewed INT64 and annual_income FP32, all required. `probability` is what
   * `modeldock predict` answers for the guide's payload: /v2 inference must agree with it.
   */
  lead: OipService & { probability: number };
  /** The DictVectorizer pipeline tests/fixtures/sklearn/dv_decision_tree.pickle5.pkl: FP64 inputs, every one optional. */
  dict: OipService;
}

/** A check's targets and every (service, path, method, status) the checks saw, to hold /openapi.json to. */
export interface OipContext {
  targets: OipTargets;
  seen: { url: string; path: string; method: string; status: number }[];
}

export interface OipCheck {
  name: string;
  run: (context: OipContext) => Promise<void>;
}

export function oipContext(targets: OipTargets): OipContext {
  return { targets, seen: [] };
}

type LeadRow = typeof guidePayload;

interface Answer {
  status: number;
  json: Record<string, unknown>;
  text: string;
}

async function call(
  context: OipContext,
  service: OipService,
  method: 'GET' | 'POST',
  route: string,
  body?: unknown,
): Promise<Answer> {
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
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // Not JSON: the checks that expect a JSON body fail on its missing fields and show `text`.
  }
  context.seen.push({ url: service.url, path: route, method: method.toLowerCase(), status: response.status });
  return { status: response.status, json, text };
}

/** The answer's status, with the request and body in the failure message. */
function expectStatus(answer: Answer, status: number, what: string) {
  assert.equal(
    answer.status,
    status,
    `${what}: HTTP ${answer.status}, expected ${status}; body ${answer.text}`,
  );
}

/** A 4xx answered as the protocol says: {"error": "<message>"} and nothing else. */
function expectOipError(answer: Answer, status: number, pattern: RegExp, what: string) {
  expectStatus(answer, status, what);
  assert.deepEqual(Object.keys(answer.json), ['error'], `${what}: body ${answer.text} is not {"error": …}`);
  assert.match(String(answer.json.error), pattern, `${what}: error message`);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
/** A version the service does not serve. */
const otherVersion = (service: OipService) => (service.version === 'v9' ? 'v10' : 'v9');

const leadTensors = (rows: LeadRow[]) => [
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

const inferRoute = (service: OipService) => `/v2/models/${service.name}/infer`;
const versionedRoute = (service: OipService) => `/v2/models/${service.name}/versions/${service.version}`;

interface Tensor {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}
const outputsOf = (answer: Answer) => (answer.json.outputs ?? []) as Tensor[];
function output(answer: Answer, pattern: RegExp): Tensor {
  const found = outputsOf(answer).find((tensor) => pattern.test(tensor.name));
  assert.ok(found, `no output matching ${pattern} in ${answer.text}`);
  return found;
}

/** In the order they run: the last one holds /openapi.json to every status the others saw. */
export const oipChecks: OipCheck[] = [
  {
    name: 'health: live and ready answer 200',
    async run(context) {
      const { lead } = context.targets;
      for (const route of ['/v2/health/live', '/v2/health/ready'])
        expectStatus(await call(context, lead, 'GET', route), 200, `GET ${route}`);
    },
  },
  {
    name: 'server metadata: name, version and extensions',
    async run(context) {
      const answer = await call(context, context.targets.lead, 'GET', '/v2');
      expectStatus(answer, 200, 'GET /v2');
      assert.equal(typeof answer.json.name, 'string', `GET /v2: name in ${answer.text}`);
      assert.equal(typeof answer.json.version, 'string', `GET /v2: version in ${answer.text}`);
      assert.deepEqual(answer.json.extensions, [], `GET /v2: extensions in ${answer.text}`);
    },
  },
  {
    name: 'model metadata, with and without the version, names the platform onnx_onnxv1',
    async run(context) {
      const { lead, dict } = context.targets;
      const plain = await call(context, lead, 'GET', `/v2/models/${lead.name}`);
      const versioned = await call(context, lead, 'GET', versionedRoute(lead));
      expectStatus(plain, 200, `GET /v2/models/${lead.name}`);
      assert.deepEqual(versioned.json, plain.json, 'the versioned metadata differs from the plain one');
      assert.deepEqual(
        { name: plain.json.name, versions: plain.json.versions, platform: plain.json.platform },
        { name: lead.name, versions: [lead.version], platform: 'onnx_onnxv1' },
      );
      assert.deepEqual(
        (plain.json.inputs as Tensor[]).map((tensor) => `${tensor.name}:${tensor.datatype}`),
        ['lead_source:BYTES', 'number_of_courses_viewed:INT64', 'annual_income:FP32'],
      );
      const dictMetadata = await call(context, dict, 'GET', versionedRoute(dict));
      expectStatus(dictMetadata, 200, `GET ${versionedRoute(dict)}`);
      const datatypes = (dictMetadata.json.inputs as Tensor[]).map((tensor) => tensor.datatype);
      assert.ok(
        datatypes.every((datatype) => datatype === 'FP64' || datatype === 'BYTES'),
        `the DictVectorizer model's inputs are ${datatypes.join(', ')}, not FP64 and BYTES`,
      );
    },
  },
  {
    name: 'model readiness, with and without the version',
    async run(context) {
      const { lead } = context.targets;
      for (const route of [`/v2/models/${lead.name}/ready`, `${versionedRoute(lead)}/ready`])
        expectStatus(await call(context, lead, 'GET', route), 200, `GET ${route}`);
    },
  },
  {
    name: 'an unknown model or version is a 404 with {"error": …} on every model route',
    async run(context) {
      const { lead } = context.targets;
      const other = otherVersion(lead);
      for (const route of [
        '/v2/models/other',
        '/v2/models/other/ready',
        `/v2/models/${lead.name}/versions/${other}`,
        `/v2/models/${lead.name}/versions/${other}/ready`,
      ]) {
        expectOipError(await call(context, lead, 'GET', route), 404, /serves/, `GET ${route}`);
      }
      const route = `/v2/models/${lead.name}/versions/${other}/infer`;
      expectOipError(
        await call(context, lead, 'POST', route, { inputs: leadTensors([guidePayload]) }),
        404,
        new RegExp(`version "${escapeRegExp(lead.version)}".*not "${other}"`),
        `POST ${route}`,
      );
      expectOipError(
        await call(context, lead, 'GET', '/v2/nothing-here'),
        404,
        /There is no GET/,
        'GET /v2/nothing-here',
      );
    },
  },
  {
    name: "infers with and without the version, with ModelDock's probabilities, echoing the id",
    async run(context) {
      const { lead } = context.targets;
      for (const route of [inferRoute(lead), `${versionedRoute(lead)}/infer`]) {
        const answer = await call(context, lead, 'POST', route, {
          id: 'req-7',
          inputs: leadTensors([guidePayload]),
        });
        expectStatus(answer, 200, `POST ${route}`);
        assert.deepEqual(
          {
            model_name: answer.json.model_name,
            model_version: answer.json.model_version,
            id: answer.json.id,
          },
          { model_name: lead.name, model_version: lead.version, id: 'req-7' },
        );
        const probability = output(answer, /^output_probability$/);
        assert.deepEqual(
          { datatype: probability.datatype, shape: probability.shape },
          { datatype: 'FP32', shape: [1, 2] },
        );
        const diff = Math.abs(Number(probability.data[1]) - lead.probability);
        assert.ok(
          diff <= 1e-6,
          `POST ${route}: probability ${probability.data[1]}, modeldock predict ${lead.probability}`,
        );
        assert.deepEqual(output(answer, /^output_label$/).shape, [1]);
      }
    },
  },
  {
    name: 'scores several rows as /predict scores the same instances',
    async run(context) {
      const { lead } = context.targets;
      const rows = [
        guidePayload,
        { lead_source: 'paid_ads', number_of_courses_viewed: 1, annual_income: 79450 },
        { lead_source: 'referral', number_of_courses_viewed: 0, annual_income: 20000 },
      ];
      const predicted = await call(context, lead, 'POST', '/predict', { instances: rows });
      expectStatus(predicted, 200, 'POST /predict');
      const inferred = await call(context, lead, 'POST', inferRoute(lead), { inputs: leadTensors(rows) });
      expectStatus(inferred, 200, `POST ${inferRoute(lead)}`);
      const positives = output(inferred, /^output_probability$/).data.filter(
        (_value, index) => index % 2 === 1,
      );
      assert.deepEqual(
        positives,
        (predicted.json.predictions as { probability: number }[]).map((prediction) => prediction.probability),
      );
    },
  },
  {
    name: 'takes data flat or nested as the shape is, and refuses nesting deeper than the shape (7,000 levels: 400)',
    async run(context) {
      const { lead } = context.targets;
      const infer = inferRoute(lead);
      const nested = leadTensors([guidePayload]).map((tensor) => ({ ...tensor, data: [tensor.data] }));
      const flat = await call(context, lead, 'POST', infer, { inputs: leadTensors([guidePayload]) });
      const deep = await call(context, lead, 'POST', infer, { inputs: nested });
      expectStatus(deep, 200, `POST ${infer} with data nested as the shape`);
      assert.deepEqual(deep.json.outputs, flat.json.outputs);
      const tooDeep = `${'['.repeat(7000)}75000${']'.repeat(7000)}`;
      const body = `{"inputs": [{"name": "annual_income", "shape": [1, 1], "datatype": "FP32", "data": ${tooDeep}}]}`;
      expectOipError(
        await call(context, lead, 'POST', infer, body),
        400,
        /nested deeper than its shape/,
        `POST ${infer} with data nested 7,000 deep`,
      );
      expectStatus(
        await call(context, lead, 'GET', '/v2/health/live'),
        200,
        'GET /v2/health/live afterwards',
      );
    },
  },
  {
    name: 'refuses numbers that overflow the input type: 1e39 for FP32, 1e309 for FP64, 2.5 for INT64',
    async run(context) {
      const { lead, dict } = context.targets;
      const infer = inferRoute(lead);
      const withIncome = (value: string) =>
        `{"inputs": [{"name": "lead_source", "shape": [1, 1], "datatype": "BYTES", "data": ["organic"]}, {"name": "number_of_courses_viewed", "shape": [1, 1], "datatype": "INT64", "data": [5]}, {"name": "annual_income", "shape": [1, 1], "datatype": "FP32", "data": [${value}]}]}`;
      expectStatus(await call(context, lead, 'POST', infer, withIncome('3.4e38')), 200, 'FP32 3.4e38');
      expectOipError(
        await call(context, lead, 'POST', infer, withIncome('1e39')),
        400,
        /annual_income.*too large.*float/,
        'FP32 1e39',
      );
      // /predict refuses the same value.
      expectStatus(
        await call(context, lead, 'POST', '/predict', { ...guidePayload, annual_income: 1e39 }),
        422,
        'POST /predict with annual_income 1e39',
      );
      const fp64 = (value: string) =>
        `{"inputs": [{"name": "annual_income", "shape": [1, 1], "datatype": "FP64", "data": [${value}]}]}`;
      expectStatus(await call(context, dict, 'POST', inferRoute(dict), fp64('1e308')), 200, 'FP64 1e308');
      expectOipError(
        await call(context, dict, 'POST', inferRoute(dict), fp64('1e309')),
        400,
        /annual_income.*finite/,
        'FP64 1e309',
      );
      const int = leadTensors([guidePayload]).map((tensor) =>
        tensor.datatype === 'INT64' ? { ...tensor, data: [2.5] } : tensor,
      );
      expectOipError(
        await call(context, lead, 'POST', infer, { inputs: int }),
        400,
        /number_of_courses_viewed.*whole number/,
        'INT64 2.5',
      );
    },
  },
  {
    name: 'answers only the outputs requested, and a 400 naming the outputs for one that does not exist',
    async run(context) {
      const { lead } = context.targets;
      const only = await call(context, lead, 'POST', inferRoute(lead), {
        inputs: leadTensors([guidePayload]),
        outputs: [{ name: 'output_probability' }],
      });
      expectStatus(only, 200, 'outputs: [output_probability]');
      assert.deepEqual(
        outputsOf(only).map((tensor) => tensor.name),
        ['output_probability'],
      );
      expectOipError(
        await call(context, lead, 'POST', inferRoute(lead), {
          inputs: leadTensors([guidePayload]),
          outputs: [{ name: 'nope' }],
        }),
        400,
        /no output named "nope".*output_label, output_probability/,
        'outputs: [nope]',
      );
    },
  },
  {
    name: 'lets inputs the model may go without be left out, as /predict does',
    async run(context) {
      const { lead, dict } = context.targets;
      const row = { annual_income: 75000, lead_source: 'organic' };
      const predicted = await call(context, dict, 'POST', '/predict', row);
      expectStatus(predicted, 200, 'POST /predict without number_of_courses_viewed');
      const route = `${versionedRoute(dict)}/infer`;
      const inferred = await call(context, dict, 'POST', route, {
        inputs: [
          { name: 'annual_income', shape: [1, 1], datatype: 'FP64', data: [75000] },
          { name: 'lead_source', shape: [1, 1], datatype: 'BYTES', data: ['organic'] },
        ],
      });
      expectStatus(inferred, 200, `POST ${route} without number_of_courses_viewed`);
      const probability = Number(output(inferred, /probab/).data[1]);
      // As close as Vitest's toBeCloseTo(…, 6): |diff| < 0.5e-6.
      assert.ok(
        Math.abs(probability - Number(predicted.json.probability)) < 0.5e-6,
        `/v2 probability ${probability}, /predict ${predicted.json.probability}`,
      );
      // The lead model's inputs are all required.
      expectOipError(
        await call(context, lead, 'POST', inferRoute(lead), {
          inputs: leadTensors([guidePayload]).slice(0, 2),
        }),
        400,
        /Input "annual_income" is missing/,
        'the lead model without annual_income',
      );
    },
  },
  {
    name: 'refuses malformed requests with a 400 and a readable {"error"}',
    async run(context) {
      const { lead } = context.targets;
      const [firstTensor] = leadTensors([guidePayload]);
      const cases: [string, unknown, RegExp][] = [
        ['{}', {}, /"inputs"/],
        ['no inputs', { inputs: [] }, /empty/],
        [
          'lead_source as FP32',
          { inputs: [{ name: 'lead_source', shape: [1, 1], datatype: 'FP32', data: [1] }] },
          /lead_source.*BYTES/,
        ],
        ['a tensor sent twice', { inputs: [firstTensor, firstTensor] }, /sent twice/],
        [
          'shape [2, 1] with one value',
          { inputs: leadTensors([guidePayload]).map((tensor) => ({ ...tensor, shape: [2, 1] })) },
          /needs 2 values/,
        ],
        ['cut-off JSON', '{"inputs": ', /not valid JSON/],
      ];
      for (const [what, body, pattern] of cases)
        expectOipError(await call(context, lead, 'POST', inferRoute(lead), body), 400, pattern, what);
      // A tensor that is not a model input follows ModelDock's rule for unknown fields: ignored, and said so.
      const extra = await call(context, lead, 'POST', inferRoute(lead), {
        inputs: [
          ...leadTensors([guidePayload]),
          { name: 'color', shape: [1], datatype: 'BYTES', data: ['x'] },
        ],
      });
      expectStatus(extra, 200, 'an extra tensor');
      assert.deepEqual((extra.json.parameters as { ignored?: string[] } | undefined)?.ignored, ['color']);
    },
  },
  {
    name: '/openapi.json is a valid OpenAPI 3.1 document declaring every status answered above',
    async run(context) {
      const { lead, dict } = context.targets;
      for (const service of [lead, dict]) {
        const response = await fetch(`${service.url}/openapi.json`);
        assert.equal(response.status, 200, `GET ${service.url}/openapi.json`);
        const openapi = (await response.json()) as {
          paths: Record<
            string,
            Record<string, { responses: Record<string, unknown>; requestBody?: unknown }>
          >;
        };
        const result = await validate(structuredClone(openapi) as never);
        assert.ok(result.valid, result.valid ? '' : JSON.stringify(result.errors));
        const versioned = `${versionedRoute(service)}/infer`;
        assert.ok(
          openapi.paths[versioned]?.post?.requestBody,
          `no request body declared for POST ${versioned}`,
        );
        const undeclared = context.seen
          .filter((seen) => seen.url === service.url && openapi.paths[seen.path])
          .filter((seen) => !openapi.paths[seen.path]?.[seen.method]?.responses[String(seen.status)])
          .map((seen) => `${seen.method.toUpperCase()} ${seen.path} → ${seen.status}`);
        assert.deepEqual(
          [...new Set(undeclared)],
          [],
          `statuses answered but not declared by ${service.url}`,
        );
      }
      assert.ok(context.seen.length > 30, `only ${context.seen.length} requests were checked`);
    },
  },
];

/** Runs every check in order, printing PASS or FAIL (with why) for each; answers how many failed. */
export async function runOipChecks(
  targets: OipTargets,
  print: (line: string) => void = console.log,
): Promise<number> {
  const context = oipContext(targets);
  let failed = 0;
  for (const check of oipChecks) {
    try {
      await check.run(context);
      print(`PASS  ${check.name}`);
    } catch (error) {
      failed++;
      print(
        `FAIL  ${check.name}\n      ${(error instanceof Error ? error.message : String(error)).split('\n').join('\n      ')}`,
      );
    }
  }
  return failed;
}

async function main() {
  const { values } = parseArgs({
    options: Object.fromEntries(
      ['lead', 'lead-name', 'lead-version', 'lead-probability', 'dict', 'dict-name', 'dict-version'].map(
        (name) => [name, { type: 'string' as const }],
      ),
    ),
  });
  const value = (name: string) => {
    const given = values[name];
    if (typeof given !== 'string' || given === '') {
      console.error(
        `oip-checks: --${name} is missing (see the usage at the top of tests/export/oip-checks.ts)`,
      );
      process.exit(2);
    }
    return given;
  };
  const probability = Number(value('lead-probability'));
  if (!Number.isFinite(probability)) {
    console.error(`oip-checks: --lead-probability ${values['lead-probability']} is not a number`);
    process.exit(2);
  }
  const targets: OipTargets = {
    lead: { url: value('lead'), name: value('lead-name'), version: value('lead-version'), probability },
    dict: { url: value('dict'), name: value('dict-name'), version: value('dict-version') },
  };
  const failed = await runOipChecks(targets);
  const summary = `${oipChecks.length - failed} of ${oipChecks.length} Open Inference Protocol checks passed (lead ${targets.lead.url}, dict ${targets.dict.url})`;
  if (failed > 0) {
    console.error(`FAILED: ${summary}`);
    process.exit(1);
  }
  console.log(summary);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
