// The HTTP service: Fastify routes for /predict, the Open Inference Protocol v2, health, metrics and docs.
// Built as a function of (manifest, model, config) so tests and main.js start it the same way.
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import os from 'node:os';
import Fastify, { LogController } from 'fastify';
import { createApiKeyCheck, createKeyCheck } from './auth.js';
import { createDrift } from './drift.js';
import { registerExplainRoute } from './explain.js';
import { createMetrics } from './metrics.js';
import { isOipRoute, OipError, registerOpenInferenceRoutes } from './oip.js';
import { buildDocsPage, buildOpenApi } from './openapi.js';
import { PayloadError, readPayload } from './payload.js';
import { ignoredFields } from './runtime.generated.js';

/** Routes that answer without an API key, so probes and load balancers need no secret. */
const healthRoutes = new Set(['/health', '/ready', '/v2/health/live', '/v2/health/ready']);

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
  const flag = (name, fallback) => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (raw === '1' || raw === 'true') return true;
    if (raw === '0' || raw === 'false') return false;
    throw new Error(`${name} must be 1 or 0, got "${raw}"`);
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
    metricsPort: env.METRICS_PORT ? number('METRICS_PORT', 0, { min: 0 }) : undefined,
    metricsHost: env.METRICS_HOST || env.HOST || '0.0.0.0',
    metricsToken: env.METRICS_TOKEN || '',
    driftWindow: number('DRIFT_WINDOW', 10_000),
    // One process per core by default; WORKERS=1 is one process (Kubernetes scales with replicas instead).
    workers: number('WORKERS', os.availableParallelism()),
    unknownFields,
    // Requests read in the same turn scored in one run (request-batcher.js); BATCH_REQUESTS=0 turns it off.
    batchRequests: flag('BATCH_REQUESTS', true),
  };
}

/**
 * @param {{manifest: object, model: import('./model.js').LoadedModel, config: ReturnType<typeof readConfig>,
 *   logger?: object, driftProfile?: object, background?: object}} options
 * `background`: the rows POST /explain explains against (explain.js), when the bundle has them.
 * `cluster`: in a worker of WORKERS > 1, where /metrics and /drift come from (the primary: cluster.js).
 */
export function buildApp({ manifest, model, config, logger, driftProfile, background, cluster }) {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: { level: config.logLevel } }),
    // One log line per request (onResponse below) with route, status and latency; never bodies.
    // (Through logController: Fastify 5 deprecates the top-level disableRequestLogging option and
    // prints a non-JSON warning at start for it.)
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: config.bodyLimit,
    // Node checks requestTimeout only every connectionsCheckingInterval (30 s by default), so a
    // trickled body got its 408 after a minute; checked often, REQUEST_TIMEOUT_MS holds to ~10 %.
    serverFactory: (handler) => {
      const server = http.createServer(
        {
          requestTimeout: config.requestTimeoutMs,
          headersTimeout: config.requestTimeoutMs,
          connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.round(config.requestTimeoutMs / 10))),
        },
        handler,
      );
      server.timeout = config.requestTimeoutMs;
      server.keepAliveTimeout = 72_000;
      return server;
    },
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // Stopping is shutdown.js's: it drains connections without cutting idle keep-alive ones.
    forceCloseConnections: false,
  });
  const metrics = createMetrics(manifest);
  // In a cluster each worker keeps a whole window; the primary keeps the newest rows of all (cluster.js).
  const drift = createDrift(manifest, driftProfile, {
    windowSize: config.driftWindow,
    registry: metrics.registry,
    clustered: Boolean(cluster),
  });
  const metricsText = cluster ? cluster.metricsText : () => metrics.registry.metrics();
  const driftReport = cluster ? cluster.driftReport : async () => drift.report([drift.snapshot()]);
  const inputNames = manifest.model.inputs.map((input) => input.name);
  const checkApiKey = createApiKeyCheck(config.apiKey);
  const modelRef = { name: manifest.name, version: manifest.version, sha256: manifest.model.sha256 };
  const state = { ready: true };
  const openapi = buildOpenApi(manifest, config);
  const docsPage = buildDocsPage(manifest, openapi, config);

  app.decorate('modelState', state);
  metrics.readiness(() => state.ready);
  app.decorate('metricsRegistry', metrics.registry);
  app.decorate('drift', drift);

  // Hooks are callback-style: these run on every request, and a promise per hook is measurable.
  // /metrics takes the API key or METRICS_TOKEN (Prometheus can hold a secret that cannot score);
  // METRICS_PORT serves it on a port of its own with no key at all (main.js).
  const checkMetricsKey = createKeyCheck(config.apiKey, config.metricsToken);
  if (checkApiKey || checkMetricsKey) {
    app.addHook('onRequest', (request, reply, done) => {
      const route = request.routeOptions.url;
      if (route && healthRoutes.has(route)) return done();
      const check = route === '/metrics' ? checkMetricsKey : checkApiKey;
      if (!check || check(request.headers)) return done();
      metrics.errors.inc({ kind: 'auth' });
      reply.header('www-authenticate', 'Bearer');
      reply
        .code(401)
        .send(
          errorBody(
            request,
            'unauthorized',
            route === '/metrics'
              ? 'The metrics need the API key or METRICS_TOKEN: send "Authorization: Bearer <key>".'
              : 'This service needs an API key: send "Authorization: Bearer <key>" or "X-API-Key: <key>".',
          ),
        );
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
    reply
      .code(404)
      .send(
        errorBody(
          request,
          'not-found',
          `There is no ${request.method} ${request.url.split('?')[0]}; see /docs.`,
        ),
      );
  });

  app.setErrorHandler((error, request, reply) => {
    if (error instanceof PayloadError) {
      metrics.errors.inc({ kind: 'validation' });
      return reply.code(422).send({ error: 'invalid-payload', message: error.message, detail: error.detail });
    }
    const status = error.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      metrics.errors.inc({ kind: error instanceof OipError ? 'validation' : 'client' });
      return reply.code(status).send(errorBody(request, error.code ?? 'bad-request', clientMessage(error)));
    }
    metrics.errors.inc({ kind: 'internal' });
    request.log.error({ err: error }, 'request failed');
    return reply
      .code(500)
      .send(
        errorBody(request, 'internal', 'The service failed to answer this request; its log has the details.'),
      );
  });

  const payloadOptions = {
    inputs: manifest.model.inputs,
    maxBatch: config.maxBatch,
    unknownFields: config.unknownFields,
  };

  app.post('/predict', async (request) => {
    const { batch, rows, warnings } = readPayload(request.body, payloadOptions);
    const predictions = await model.predictForClient(
      rows,
      (reason) =>
        new PayloadError([{ field: '', message: `the model could not score this payload: ${reason}` }]),
    );
    recordPredictions(metrics, predictions);
    drift.observe(rows.length, (row, input, position) => rows[row][inputNames[input]][position], predictions);
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

  registerExplainRoute(app, {
    manifest,
    model,
    background,
    payloadOptions,
    modelRef,
    registry: metrics.registry,
  });

  app.get('/health', async () => ({ status: 'ok' }));
  app.get('/ready', async (_request, reply) => {
    if (!state.ready) return reply.code(503).send({ status: 'draining' });
    return { status: 'ready', model: modelRef };
  });
  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', metrics.registry.contentType);
    return metricsText();
  });
  app.get('/drift', async (request, reply) => {
    if (!drift.enabled) {
      return reply
        .code(404)
        .send(
          errorBody(
            request,
            'no-drift-reference',
            'This bundle was exported without a drift reference; export it again with one (modeldock export --reference <csv>).',
          ),
        );
    }
    return driftReport();
  });
  app.get('/openapi.json', async () => openapi);
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsPage));

  const probabilities = manifest.model.outputs.find((output) => output.role === 'probabilities');
  registerOpenInferenceRoutes(app, {
    manifest,
    model,
    config,
    state,
    countIgnoredFields: metrics.countIgnoredFields,
    onScored: (outputs, rows, columns) => {
      let predictions;
      if (probabilities && outputs[probabilities.name]) {
        predictions = model.predictions(outputs, rows);
        recordPredictions(metrics, predictions);
      } else {
        metrics.predictions.inc(rows);
        // A regressor's score (its value) for the drift window.
        if (drift.enabled) predictions = model.predictions(outputs, rows);
      }
      const widths = manifest.model.inputs.map((input) => input.width);
      drift.observe(
        rows,
        (row, input, position) => columns[inputNames[input]][row * widths[input] + position],
        predictions,
      );
    },
  });
  return app;
}

/**
 * An error body: the Open Inference Protocol's {"error": "<message>"} on /v2 routes; elsewhere a
 * code for programs and a message for people (plus FastAPI-style `detail` for validation errors).
 */
function errorBody(request, code, message) {
  return isOipRoute(request.url) ? { error: message } : { error: code, message };
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
