// Prometheus metrics (prom-client): requests by route and status, latency, predictions, scores,
// errors, and the model's identity (version + sha256) as a gauge for dashboards and alerts.
import http from 'node:http';
import client from 'prom-client';

/**
 * prom-client's default metrics include three gauges named *_total, which `promtool check metrics`
 * flags (a _total suffix promises a counter). nodejs_active_handles, nodejs_active_requests and
 * nodejs_active_resources (by type) carry the same numbers, so these three are left out.
 */
const lintedDefaults = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

/** At most this many distinct field names label ignored_fields_total. */
export const maxIgnoredFieldLabels = 20;

export function createMetrics(manifest) {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  for (const name of lintedDefaults) registry.removeSingleMetric(name);
  const requests = new client.Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status code.',
    labelNames: ['route', 'method', 'status'],
    registers: [registry],
  });
  const latency = new client.Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time to answer a request, by route.',
    labelNames: ['route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const predictions = new client.Counter({
    name: 'predictions_total',
    help: 'Rows scored (one per instance).',
    registers: [registry],
  });
  const scores = new client.Histogram({
    name: 'prediction_score',
    help: 'Distribution of the reported probability (binary classifiers) or value (regressors).',
    buckets: [0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1],
    registers: [registry],
  });
  const errors = new client.Counter({
    name: 'errors_total',
    help: 'Failed requests by kind (validation, auth, client, internal).',
    labelNames: ['kind'],
    registers: [registry],
  });
  const modelInfo = new client.Gauge({
    name: 'model_info',
    help: 'The served model: always 1, identified by its labels.',
    aggregator: 'max',
    labelNames: ['name', 'version', 'sha256'],
    registers: [registry],
  });
  modelInfo.set({ name: manifest.name, version: manifest.version, sha256: manifest.model.sha256 }, 1);
  // Read at scrape time: 0 while the service drains on SIGTERM (the "model not ready" alert).
  let isReady = () => true;
  new client.Gauge({
    name: 'modeldock_model_ready',
    help: 'Whether the service takes requests: 1 ready, 0 stopping.',
    aggregator: 'min',
    registers: [registry],
    collect() {
      this.set(isReady() ? 1 : 0);
    },
  });
  const readiness = (check) => {
    isReady = check;
  };

  // Fields sent that are not model inputs (ignored by ModelDock's rule). The label is the field name,
  // for the first maxIgnoredFieldLabels distinct names; later ones count under "_other", so a client
  // sending random keys cannot grow the series without bound.
  const ignoredFieldsTotal = new client.Counter({
    name: 'ignored_fields_total',
    help: `Request fields ignored because they are not model inputs, by field (the first ${maxIgnoredFieldLabels} names; the rest as "_other").`,
    labelNames: ['field'],
    registers: [registry],
  });
  const ignoredChildren = new Map();
  const countIgnoredFields = (fields) => {
    for (const field of fields) {
      let counter = ignoredChildren.get(field);
      if (!counter) {
        counter =
          ignoredChildren.size < maxIgnoredFieldLabels
            ? ignoredFieldsTotal.labels({ field: field.slice(0, 60) })
            : ignoredFieldsTotal.labels({ field: '_other' });
        if (ignoredChildren.size < maxIgnoredFieldLabels) ignoredChildren.set(field, counter);
      }
      counter.inc();
    }
  };

  // Label children cached by route/method/status: looking them up by label object on every request
  // (prom-client hashes the labels each time) is a visible share of a ~100 µs request.
  const requestChildren = new Map();
  const latencyChildren = new Map();
  const countRequest = (route, method, status, seconds) => {
    const key = `${route} ${method} ${status}`;
    let counter = requestChildren.get(key);
    if (!counter) {
      counter = requests.labels({ route, method, status });
      requestChildren.set(key, counter);
    }
    counter.inc();
    let histogram = latencyChildren.get(route);
    if (!histogram) {
      histogram = latency.labels({ route });
      latencyChildren.set(route, histogram);
    }
    histogram.observe(seconds);
  };
  return {
    registry,
    requests,
    latency,
    predictions,
    scores,
    errors,
    countRequest,
    readiness,
    countIgnoredFields,
  };
}

/**
 * METRICS_PORT: /metrics on a port of its own, without the API key, so Prometheus can scrape a
 * service whose API port needs one (expose this port to the monitoring network only). Bound to
 * METRICS_HOST (default HOST). Everything else on this port is a 404.
 */
export function startMetricsServer(registry, { port, host }) {
  const server = http.createServer((request, response) => {
    const route = (request.url ?? '').split('?')[0];
    if (request.method !== 'GET' || route !== '/metrics') {
      response.writeHead(404, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'not-found', message: 'This port serves GET /metrics only.' }));
      return;
    }
    registry.metrics().then(
      (text) => {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(text);
      },
      () => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: 'internal', message: 'The metrics could not be collected.' }));
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host }, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
