// /openapi.json and /docs, generated from the model's input schema in manifest.json, as FastAPI does.
// The docs page is one self-contained HTML file (no CDN), so it works on an offline network too.
import { PSI_BAND_NAMES, PSI_BAND_RANGES } from './runtime.generated.js';

function errorSchema() {
  return {
    type: 'object',
    required: ['error', 'message'],
    properties: { error: { type: 'string' }, message: { type: 'string' } },
  };
}

export function buildOpenApi(manifest, options) {
  const row = manifest.inputSchema;
  const name = manifest.name;
  const prediction = {
    type: 'object',
    properties: {
      probability: { type: 'number', description: manifest.outputsMeaning?.probability },
      label: { description: manifest.outputsMeaning?.label },
      probabilities: { type: 'object', additionalProperties: { type: 'number' } },
      value: { type: 'number', description: manifest.outputsMeaning?.value },
      warnings: { type: 'array', items: { type: 'object' } },
      ignored: {
        type: 'array',
        items: { type: 'string' },
        description: 'Fields sent that are not model inputs, ignored (absent when there are none).',
      },
      model: {
        type: 'object',
        properties: { name: { type: 'string' }, version: { type: 'string' }, sha256: { type: 'string' } },
      },
    },
  };
  const validationError = {
    type: 'object',
    properties: {
      error: { type: 'string', const: 'invalid-payload' },
      message: { type: 'string' },
      detail: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            loc: { type: 'array', items: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
            msg: { type: 'string' },
            type: { type: 'string' },
          },
        },
      },
    },
  };
  const security = options.apiKey ? [{ bearer: [] }, { apiKey: [] }] : [];
  const json = (schema, description, example) => ({
    description,
    content: { 'application/json': { schema, ...(example === undefined ? {} : { example }) } },
  });
  const problem = { $ref: '#/components/schemas/Error' };
  const oipProblem = { $ref: '#/components/schemas/InferenceError' };
  // The status codes the server really answers, each with the body it sends. /v2 routes answer
  // errors as the Open Inference Protocol says ({"error": "<message>"}); the others with a code too.
  const common = (schema) => ({
    ...(options.apiKey ? { 401: json(schema, 'Missing or wrong API key') } : {}),
    500: json(schema, 'The service failed; its log has the details'),
  });
  const bodyErrors = (schema) => ({
    400: json(schema, 'The body is not valid JSON, is empty, or (on /v2) does not fit the model'),
    413: json(schema, 'The body is larger than BODY_LIMIT_BYTES'),
    415: json(schema, 'The body is not sent as application/json'),
    503: json(schema, 'The service is stopping'),
  });
  const predictErrors = {
    ...bodyErrors(problem),
    422: json({ $ref: '#/components/schemas/ValidationError' }, 'The payload does not fit the model'),
    ...common(problem),
  };
  const oipNotFound = { 404: json(oipProblem, 'No such model or version') };
  const tensorSchema = (withData) => ({
    type: 'object',
    required: ['name', 'shape', 'datatype', ...(withData ? ['data'] : [])],
    properties: {
      name: { type: 'string' },
      shape: { type: 'array', items: { type: 'integer', minimum: withData ? 0 : -1 } },
      datatype: {
        type: 'string',
        enum: [
          'BOOL',
          'UINT8',
          'UINT16',
          'UINT32',
          'UINT64',
          'INT8',
          'INT16',
          'INT32',
          'INT64',
          'FP16',
          'FP32',
          'FP64',
          'BYTES',
        ],
      },
      parameters: { type: 'object' },
      ...(withData
        ? {
            data: {
              type: 'array',
              description: 'The values in row-major order: flat, or nested as the shape is',
            },
          }
        : {}),
    },
  });
  const modelRoute = `/v2/models/${name}`;
  const versionRoute = `/v2/models/${name}/versions/${manifest.version}`;
  const inferOperation = (summary) => ({
    post: {
      summary,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: { $ref: '#/components/schemas/InferenceRequest' },
            ...(manifest.example?.oip ? { example: manifest.example.oip } : {}),
          },
        },
      },
      responses: {
        200: json(
          { $ref: '#/components/schemas/InferenceResponse' },
          'The requested outputs (all by default)',
        ),
        ...bodyErrors(oipProblem),
        ...oipNotFound,
        ...common(oipProblem),
      },
    },
  });
  const metadataOperation = (summary) => ({
    get: {
      summary,
      responses: {
        200: json({ $ref: '#/components/schemas/ModelMetadata' }, 'Model metadata'),
        ...oipNotFound,
        ...common(oipProblem),
      },
    },
  });
  const readyOperation = (summary) => ({
    get: {
      summary,
      responses: {
        200: json(readyBody, 'The model is ready'),
        503: json(readyBody, 'The service is stopping'),
        ...oipNotFound,
        ...common(oipProblem),
      },
    },
  });
  const readyBody = {
    type: 'object',
    required: ['ready'],
    properties: { name: { type: 'string' }, ready: { type: 'boolean' } },
  };
  const plain = (summary, schema, extra = {}) => ({
    get: { summary, security: [], responses: { 200: json(schema, summary), ...extra } },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: `${name} (${manifest.version})`,
      version: manifest.version,
      description:
        `${manifest.description ?? ''} Exported by ModelDock ${manifest.modeldock.version}. Model SHA-256: ${manifest.model.sha256}.`.trim(),
    },
    components: {
      schemas: {
        Row: row,
        Prediction: prediction,
        ValidationError: validationError,
        Error: errorSchema(),
        Drift: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            input: { type: 'string' },
            kind: { type: 'string', enum: ['numeric', 'categorical'] },
            psi: { type: ['number', 'null'] },
            band: { type: ['string', 'null'], enum: [...PSI_BAND_NAMES, null] },
            rows: { type: 'integer' },
            ageSeconds: { type: 'number' },
            bins: { type: 'array', items: { type: 'object' } },
          },
        },
        InferenceError: {
          type: 'object',
          required: ['error'],
          properties: { error: { type: 'string', description: 'What was wrong, for a person' } },
        },
        InferenceRequest: {
          type: 'object',
          required: ['inputs'],
          properties: {
            id: { type: 'string' },
            parameters: { type: 'object' },
            inputs: {
              type: 'array',
              minItems: 1,
              description: 'One tensor per model input; inputs the model may go without may be left out',
              items: tensorSchema(true),
            },
            outputs: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name'],
                properties: {
                  name: { type: 'string', enum: manifest.model.outputs.map((output) => output.name) },
                  parameters: { type: 'object' },
                },
              },
            },
          },
        },
        InferenceResponse: {
          type: 'object',
          required: ['model_name', 'outputs'],
          properties: {
            model_name: { type: 'string' },
            model_version: { type: 'string' },
            id: { type: 'string' },
            parameters: { type: 'object' },
            outputs: { type: 'array', items: tensorSchema(true) },
          },
        },
        ModelMetadata: {
          type: 'object',
          required: ['name', 'platform', 'inputs', 'outputs'],
          properties: {
            name: { type: 'string' },
            versions: { type: 'array', items: { type: 'string' } },
            platform: { type: 'string' },
            inputs: { type: 'array', items: tensorSchema(false) },
            outputs: { type: 'array', items: tensorSchema(false) },
          },
        },
      },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
      },
    },
    security,
    paths: {
      '/predict': {
        post: {
          summary: 'Score one row, or up to MAX_BATCH rows as {"instances": [...]}',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  oneOf: [
                    { $ref: '#/components/schemas/Row' },
                    {
                      type: 'object',
                      required: ['instances'],
                      properties: {
                        instances: {
                          type: 'array',
                          minItems: 1,
                          maxItems: options.maxBatch,
                          items: { $ref: '#/components/schemas/Row' },
                        },
                      },
                    },
                  ],
                },
                example: manifest.example?.payload,
              },
            },
          },
          responses: {
            200: json(
              { $ref: '#/components/schemas/Prediction' },
              'Prediction (or {"predictions": [...]} for instances)',
              manifest.example?.response,
            ),
            ...predictErrors,
          },
        },
      },
      '/explain': {
        post: {
          summary: manifest.explain
            ? `Why one row scores what it does: each input's Shapley contribution against the ${manifest.explain.rows} background rows exported with the bundle`
            : 'Explanations (off: this bundle was exported without background rows, so this answers 404)',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/Row' },
                example: manifest.example?.payload,
              },
            },
          },
          responses: {
            200: json(
              {
                type: 'object',
                required: ['value', 'baseValue', 'contributions', 'method', 'residual'],
                properties: {
                  value: { type: 'number' },
                  baseValue: { type: 'number' },
                  contributions: {
                    type: 'array',
                    items: {
                      type: 'object',
                      properties: {
                        input: { type: 'string' },
                        value: {},
                        contribution: { type: 'number' },
                        standardError: { type: 'number' },
                      },
                    },
                  },
                  method: { type: 'string', enum: ['exact', 'sampled'] },
                  summary: { type: 'string' },
                  residual: { type: 'number' },
                },
              },
              'The explanation: base value + contributions = value',
            ),
            404: json(problem, 'The bundle has no background rows'),
            ...predictErrors,
          },
        },
      },
      [`${modelRoute}/infer`]: inferOperation(
        'Open Inference Protocol v2 inference (tensors by model input name)',
      ),
      [`${versionRoute}/infer`]: inferOperation(`The same, for version ${manifest.version}`),
      [modelRoute]: metadataOperation('OIP v2 model metadata'),
      [versionRoute]: metadataOperation(`OIP v2 model metadata of version ${manifest.version}`),
      [`${modelRoute}/ready`]: readyOperation('OIP v2 model readiness (503 while stopping)'),
      [`${versionRoute}/ready`]: readyOperation(`OIP v2 readiness of version ${manifest.version}`),
      '/v2': {
        get: {
          summary: 'OIP v2 server metadata',
          responses: {
            200: json(
              {
                type: 'object',
                required: ['name', 'version', 'extensions'],
                properties: {
                  name: { type: 'string' },
                  version: { type: 'string' },
                  extensions: { type: 'array', items: { type: 'string' } },
                },
              },
              'Server metadata',
            ),
            ...common(oipProblem),
          },
        },
      },
      '/v2/health/live': plain('OIP v2 liveness', {
        type: 'object',
        properties: { live: { type: 'boolean' } },
      }),
      '/v2/health/ready': plain('OIP v2 readiness', readyBody, {
        503: json(readyBody, 'The service is stopping'),
      }),
      '/health': plain('Liveness', { type: 'object', properties: { status: { type: 'string' } } }),
      '/ready': plain(
        'Readiness (503 while stopping)',
        { type: 'object', properties: { status: { type: 'string' } } },
        {
          503: json(
            { type: 'object', properties: { status: { type: 'string' } } },
            'The service is stopping',
          ),
        },
      ),
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            200: {
              description: 'Metrics in the Prometheus text format',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
            ...common(problem),
          },
        },
      },
      '/drift': {
        get: {
          summary: manifest.drift
            ? `Live drift: PSI of each input and of the score over the last DRIFT_WINDOW rows against ${manifest.drift.reference.fileName}`
            : 'Live drift (this bundle was exported without a drift reference: 404)',
          responses: {
            ...(manifest.drift
              ? {
                  200: json(
                    {
                      type: 'object',
                      required: ['reference', 'window', 'inputs'],
                      properties: {
                        reference: {
                          type: 'object',
                          properties: { fileName: { type: 'string' }, rows: { type: 'integer' } },
                        },
                        window: { type: 'object', properties: { size: { type: 'integer' } } },
                        bands: {
                          type: 'object',
                          description: "Each band's PSI range",
                          properties: Object.fromEntries(
                            Object.entries(PSI_BAND_RANGES).map(([band, range]) => [
                              band,
                              { type: 'string', const: range },
                            ]),
                          ),
                        },
                        inputs: { type: 'array', items: { $ref: '#/components/schemas/Drift' } },
                        score: { $ref: '#/components/schemas/Drift' },
                      },
                    },
                    'PSI per input and for the score, with bands, window rows and age, and bins',
                  ),
                }
              : { 404: json(problem, 'No drift reference in this bundle') }),
            ...common(problem),
          },
        },
      },
    },
  };
}

function escapeHtml(text) {
  return String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );
}

/** A self-contained docs page: the fields, the endpoints and a form that posts to /predict. */
export function buildDocsPage(manifest, openapi, config) {
  const rows = Object.entries(manifest.inputSchema.properties)
    .map(([field, schema]) => {
      const allowed = schema.examples
        ? `Known: ${schema.examples.map((v) => `<code>${escapeHtml(v)}</code>`).join(', ')}`
        : '';
      return `<tr><td><code>${escapeHtml(field)}</code></td><td>${escapeHtml(schema.type === 'array' ? `array of ${schema.items?.type}` : schema.type)}</td><td>${escapeHtml(schema.description ?? '')} ${allowed}</td></tr>`;
    })
    .join('\n');
  const endpoints = Object.entries(openapi.paths)
    .flatMap(([route, methods]) =>
      Object.entries(methods).map(
        ([method, op]) =>
          `<li><code>${method.toUpperCase()} ${escapeHtml(route)}</code> — ${escapeHtml(op.summary)}</li>`,
      ),
    )
    .join('\n');
  const example = JSON.stringify(manifest.example?.payload ?? {}, null, 2);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(openapi.info.title)} — API docs</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2433}
code,textarea,pre{font-family:ui-monospace,monospace}table{border-collapse:collapse;width:100%}
td,th{border-bottom:1px solid #dde;padding:.3rem .5rem;text-align:left;vertical-align:top}
textarea{width:100%;min-height:10rem}pre{background:#f4f5f8;padding:.75rem;overflow:auto}
button{padding:.4rem 1rem}
</style></head><body>
<h1>${escapeHtml(openapi.info.title)}</h1>
<p>${escapeHtml(openapi.info.description)}</p>
<p>The machine-readable description is <a href="openapi.json">/openapi.json</a> (OpenAPI 3.1).</p>
<h2>Fields of <code>POST /predict</code></h2>
<table><thead><tr><th>Field</th><th>Type</th><th>Notes</th></tr></thead><tbody>
${rows}
</tbody></table>
<p>Fields that are not inputs are ${config.unknownFields === 'refuse' ? 'refused with a 422 (UNKNOWN_FIELDS=refuse; unset it to ignore them with a warning, as ModelDock does by default)' : 'ignored, as in ModelDock: each is named in <code>warnings</code> and in <code>ignored</code> (set <code>UNKNOWN_FIELDS=refuse</code> to refuse them with a 422)'}. Several rows: <code>{"instances": [row, …]}</code>, at most ${config.maxBatch}.</p>
<h2>Endpoints</h2><ul>${endpoints}</ul>
<h2>Try it</h2>
<label>API key (only when the service has API_KEY set) <input id="key" type="password" autocomplete="off"></label>
<textarea id="body" aria-label="Request body">${escapeHtml(example)}</textarea>
<p><button id="send" type="button">POST /predict</button></p>
<pre id="out" aria-live="polite"></pre>
<script>
document.getElementById('send').addEventListener('click', async () => {
  const out = document.getElementById('out');
  const headers = { 'content-type': 'application/json' };
  const key = document.getElementById('key').value;
  if (key) headers.authorization = 'Bearer ' + key;
  try {
    const res = await fetch('predict', { method: 'POST', headers, body: document.getElementById('body').value });
    out.textContent = res.status + ' ' + res.statusText + '\\n' + JSON.stringify(await res.json(), null, 2);
  } catch (error) { out.textContent = String(error); }
});
</script>
</body></html>
`;
}
