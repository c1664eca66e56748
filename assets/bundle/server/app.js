// The HTTP service: Fastify routes for /predict, the Open Inference Protocol v2, health, metrics and docs.
// Built as a function of (manifest, model, config) so tests and main.js start it the same way.
import { randomUUID } from 'node:crypto';
import Fastify, { LogController } from 'fastify';
import { createApiKeyCheck } from './auth.js';
import { createMetrics } from './metrics.js';
import { ModelRunError, oipDatatypes, outputDatatype, tensorFromOip } from './model.js';
import { buildDocsPage, buildOpenApi } from './openapi.js';
import { PayloadError, readPayload } from './payload.js';
import {
  ignoredFields,
  ignoredFieldWarning,
  refusedFieldsIssue,
  tensorValues,
  unknownFieldsOf,
} from './runtime.generated.js';

/** Routes that answer without an API key, so probes and load balancers need no secret. */
const healthRoutes = new Set(['/health', '/ready', '/v2/health/live', '/v2/health/ready']);

/** A client error with a status and a message for a person (OIP and auth use these). */
class ClientError extends Error {
  constructor(statusCode, code, message) {
    super(message);
    this.statusCode = statusCode;
    this.code = code;
  }
}

/** Reads the environment into a config; bad values fail at start with a clear message. */
export function readConfig(env) {
  const number = (name, fallback, { min = 1 } = {}) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min)
      throw new Error(`${name} must be a whole number ≥ ${min}, got "${raw}"`);
    return value;
  };
  // ModelDock's one policy for fields that are not inputs: ignore (default) or refuse. "reject" is
  // the name older bundles documented; it still means refuse.
  const unknownFieldsRaw = env.UNKNOWN_FIELDS || 'ignore';
  if (!['ignore', 'refuse', 'reject'].includes(unknownFieldsRaw)) {
    throw new Error(`UNKNOWN_FIELDS must be "ignore" or "refuse", got "${unknownFieldsRaw}"`);
  }
  const unknownFields = unknownFieldsRaw === 'ignore' ? 'ignore' : 'refuse';
  return {
    port: number('PORT', 8000, { min: 0 }),
    host: env.HOST || '0.0.0.0',
    logLevel: env.LOG_LEVEL || 'info',
    apiKey: env.API_KEY || '',
    maxBatch: number('MAX_BATCH', 1000),
    bodyLimit: number('BODY_LIMIT_BYTES', 1024 * 1024),
    requestTimeoutMs: number('REQUEST_TIMEOUT_MS', 10_000),
    shutdownTimeoutMs: number('SHUTDOWN_TIMEOUT_MS', 10_000),
    unknownFields,
  };
}

/**
 * @param {{manifest: object, model: import('./model.js').LoadedModel, config: ReturnType<typeof readConfig>, logger?: object}} options
 */
export function buildApp({ manifest, model, config, logger }) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: { level: config.logLevel } }),
    // One log line per request (onResponse below) with route, status and latency; never bodies.
    // (Through logController: Fastify 5 deprecates the top-level disableRequestLogging option and
    // prints a non-JSON warning at start for it.)
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.requestTimeoutMs,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    return503OnClosing: true,
    forceCloseConnections: 'idle',
  });
  const metrics = createMetrics(manifest);
  const checkApiKey = createApiKeyCheck(config.apiKey);
  const modelRef = { name: manifest.name, version: manifest.version, sha256: manifest.model.sha256 };
  const state = { ready: true };
  const openapi = buildOpenApi(manifest, config);
  const docsPage = buildDocsPage(manifest, openapi, config);

  app.decorate('modelState', state);

  // Hooks are callback-style: these run on every request, and a promise per hook is measurable.
  if (checkApiKey) {
    app.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url;
      if ((route && healthRoutes.has(route)) || checkApiKey(request.headers)) return done();
      metrics.errors.inc({ kind: 'auth' });
      reply.header('www-authenticate', 'Bearer');
      reply.code(401).send({
        error: 'unauthorized',
        message: 'This service needs an API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>".',
      });
    });
  }

  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    // While draining, answers close their connection so keep-alive clients move to another replica
    // and the server can stop as soon as the requests in flight are done.
    if (!state.ready) reply.header('connection', 'close');
    done(null, payload);
  });

  app.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const seconds = reply.elapsedTime / 1000;
    metrics.countRequest(route, request.method, status, seconds);
    request.log.info(
      { route, method: request.method, status, latencyMs: Math.round(reply.elapsedTime * 1000) / 1000 },
      'request',
    );
    done();
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      error: 'not-found',
      message: `There is no ${request.method} ${request.url.split('?')[0]}; see /docs.`,
    });
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof PayloadError) {
      metrics.errors.inc({ kind: 'validation' });
      return reply.code(422).send({ error: 'invalid-payload', message: error.message, detail: error.detail });
    }
    const status = error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      metrics.errors.inc({ kind: 'client' });
      return reply.code(status).send({ error: error.code ?? 'bad-request', message: clientMessage(error) });
    }
    metrics.errors.inc({ kind: 'internal' });
    request.log.error({ err: error }, 'request failed');
    return reply.code(500).send({
      error: 'internal',
      message: 'The service failed to answer this request; its log has the details.',
    });
  });

  const payloadOptions = {
    inputs: manifest.model.inputs,
    maxBatch: config.maxBatch,
    unknownFields: config.unknownFields,
  };

  app.post('/predict', async (request) => {
    const { batch, rows, warnings } = readPayload(request.body, payloadOptions);
    const predictions = await runModel(
      () => model.predict(rows),
      (reason) =>
        new PayloadError([{ field: '', message: `the model could not score this payload: ${reason}` }]),
    );
    recordPredictions(metrics, predictions);
    const ignored = ignoredFields(warnings);
    metrics.countIgnoredFields(ignored);
    if (batch) return { predictions, warnings, ...(ignored.length > 0 ? { ignored } : {}), model: modelRef };
    const [prediction] = predictions;
    const answer = prediction.probability === undefined ? {} : { probability: prediction.probability };
    Object.assign(answer, prediction);
    if (warnings.length > 0) answer.warnings = warnings;
    if (ignored.length > 0) answer.ignored = ignored;
    answer.model = modelRef;
    return answer;
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    if (!state.ready) return reply.code(503).send({ status: 'draining' });
    return { status: 'ready', model: modelRef };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metrics.registry.metrics();
  });
  app.get('/openapi.json', async () => openapi);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage));

  registerOpenInferenceRoutes(app, { manifest, model, config, metrics, state });
  return app;
}

/**
 * onnxruntime refuses some inputs only when it runs (a shape it cannot broadcast, say): that is the
 * request's problem, answered as such, as ModelDock does. Any other failure stays a 500.
 */
async function runModel(run, toClientError) {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ModelRunError) throw toClientError(error.message);
    throw error;
  }
}

function clientMessage(error) {
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return 'The request body is larger than this service accepts (BODY_LIMIT_BYTES).';
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return 'Send the payload as JSON with "Content-Type: application/json".';
  if (error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return 'The request body is empty; send the payload as a JSON object.';
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return `The request body is not valid JSON: ${error.message}`;
  }
  return error.message || 'The request was not accepted.';
}

function recordPredictions(metrics, predictions) {
  metrics.predictions.inc(predictions.length);
  for (const prediction of predictions) {
    const score = prediction.probability ?? prediction.value;
    if (typeof score === 'number') metrics.scores.observe(score);
  }
}

/** Open Inference Protocol v2 (KServe, Triton, Seldon clients): tensors by model input name. */
function registerOpenInferenceRoutes(app, { manifest, model, config, metrics, state }) {
  const spec = manifest.model;
  const describeTensor = (tensor) => ({
    name: tensor.name,
    datatype: oipDatatypes[tensor.type] ?? 'BYTES',
    shape: tensor.shape.map((dim) => (typeof dim === 'number' ? dim : -1)),
  });
  const modelMetadata = {
    name: manifest.name,
    versions: [manifest.version],
    platform: 'onnxruntime_onnx',
    inputs: spec.inputs.map(describeTensor),
    outputs: spec.outputs.map(describeTensor),
  };
  const requireModel = (name) => {
    if (name !== manifest.name)
      throw new ClientError(
        404,
        'not-found',
        `This service serves the model "${manifest.name}", not "${name}".`,
      );
  };

  app.get('/v2', async () => ({
    name: 'modeldock-service',
    version: manifest.modeldock.version,
    extensions: [],
  }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) =>
    reply.code(state.ready ? 200 : 503).send({ ready: state.ready }),
  );
  app.get('/v2/models/:name', async (request) => {
    requireModel(request.params.name);
    return modelMetadata;
  });
  app.get('/v2/models/:name/ready', async (request, reply) => {
    requireModel(request.params.name);
    return reply.code(state.ready ? 200 : 503).send({ name: manifest.name, ready: state.ready });
  });
  app.post('/v2/models/:name/infer', async (request) => {
    requireModel(request.params.name);
    const body = request.body;
    if (body === null || typeof body !== 'object' || !Array.isArray(body.inputs)) {
      throw new ClientError(
        400,
        'bad-request',
        'An inference request needs "inputs": [{name, shape, datatype, data}].',
      );
    }
    const feeds = {};
    let rows;
    for (const input of spec.inputs) {
      const tensor = body.inputs.find((candidate) => candidate && candidate.name === input.name);
      if (!tensor) throw new ClientError(400, 'bad-request', `Input "${input.name}" is missing.`);
      const { values, shape } = readOipTensor(tensor, input);
      if (rows === undefined) rows = shape[0];
      if (shape[0] !== rows)
        throw new ClientError(
          400,
          'bad-request',
          'Every input must have the same number of rows (shape[0]).',
        );
      if (shape[0] > config.maxBatch) {
        throw new ClientError(
          400,
          'bad-request',
          `At most ${config.maxBatch} rows per request (MAX_BATCH); got ${shape[0]}.`,
        );
      }
      feeds[input.name] = tensorFromOip(input, values, shape);
    }
    // Tensors that are not model inputs follow ModelDock's one rule for unknown fields (payload.ts).
    const ignored = unknownFieldsOf(
      spec.inputs,
      body.inputs.map((tensor) => String(tensor?.name).slice(0, 60)),
    );
    if (ignored.length > 0 && config.unknownFields === 'refuse') {
      const issue = refusedFieldsIssue(spec.inputs, ignored);
      throw new ClientError(400, 'bad-request', `${issue.field}: ${issue.message} (UNKNOWN_FIELDS=refuse).`);
    }
    metrics.countIgnoredFields(ignored);
    const outputs = await runModel(
      () => model.run(feeds),
      (reason) => new ClientError(400, 'bad-request', `The model could not score these tensors: ${reason}`),
    );
    const requested = Array.isArray(body.outputs) ? body.outputs.map((output) => output?.name) : undefined;
    const names = spec.outputs
      .map((output) => output.name)
      .filter((name) => !requested || requested.includes(name));
    const probabilities = spec.outputs.find((output) => output.role === 'probabilities');
    if (probabilities && outputs[probabilities.name]) {
      recordPredictions(metrics, model.predictions(outputs, rows));
    } else {
      metrics.predictions.inc(rows);
    }
    return {
      model_name: manifest.name,
      model_version: manifest.version,
      id: typeof body.id === 'string' ? body.id : request.id,
      ...(ignored.length > 0
        ? { parameters: { ignored, warnings: ignored.map((field) => ignoredFieldWarning(field)) } }
        : {}),
      outputs: names.map((name) => {
        const tensor = outputs[name];
        return {
          name,
          datatype: outputDatatype(tensor),
          shape: tensor.dims.map(Number),
          data: tensorValues(tensor),
        };
      }),
    };
  });
}

/** Checks one OIP input tensor against the model input; returns flat values and the shape. */
function readOipTensor(tensor, input) {
  const expected = oipDatatypes[input.type];
  if (tensor.datatype !== expected) {
    throw new ClientError(
      400,
      'bad-request',
      `Input "${input.name}" must have datatype ${expected}, got ${String(tensor.datatype).slice(0, 20)}.`,
    );
  }
  const shape = tensor.shape;
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    !shape.every((dim) => Number.isInteger(dim) && dim >= 0)
  ) {
    throw new ClientError(
      400,
      'bad-request',
      `Input "${input.name}" needs a shape of whole numbers, such as [1, ${input.width}].`,
    );
  }
  const wantRank = input.shape.length;
  const rowWidth = shape.slice(1).reduce((a, b) => a * b, 1);
  if (shape.length !== wantRank || (wantRank > 1 && rowWidth !== input.width) || shape[0] < 1) {
    throw new ClientError(
      400,
      'bad-request',
      `Input "${input.name}" must have shape [rows${wantRank > 1 ? `, ${input.width}` : ''}].`,
    );
  }
  const values = Array.isArray(tensor.data) ? tensor.data.flat(Infinity) : undefined;
  const count = shape.reduce((a, b) => a * b, 1);
  if (!values || values.length !== count) {
    throw new ClientError(
      400,
      'bad-request',
      `Input "${input.name}" has shape [${shape.join(', ')}] and needs ${count} values in "data".`,
    );
  }
  for (const value of values) {
    const ok =
      input.type === 'string'
        ? typeof value === 'string'
        : input.type === 'bool'
          ? typeof value === 'boolean'
          : typeof value === 'number' &&
            Number.isFinite(value) &&
            (!input.type.includes('int') || Number.isSafeInteger(value));
    if (!ok)
      throw new ClientError(
        400,
        'bad-request',
        `Input "${input.name}" has a value that is not a valid ${expected}: ${String(value).slice(0, 40)}.`,
      );
  }
  return { values, shape };
}
