// Entry point: read the environment, check the model against manifest.json, load it once, serve, and
// drain in-flight requests on SIGTERM (what Docker, Kubernetes and Cloud Run send before stopping).
import cluster from 'node:cluster';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { buildApp, readConfig } from './app.js';
import {
  announceListening,
  runPrimary,
  serveWorkerRequests,
  shareMetrics,
  workerSources,
} from './cluster.js';
import { parseExplainBackground } from './explain.js';
import { readListedFile, readServedModel, verifyModelFiles } from './integrity.js';
import { startMetricsServer } from './metrics.js';
import { LoadedModel } from './model.js';
import { drainServer, stopAccepting, trackConnections } from './shutdown.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function start() {
  let config;
  try {
    config = readConfig(process.env);
  } catch (error) {
    pino().fatal({ event: 'bad-config' }, `Refusing to start: ${error.message}.`);
    process.exit(2);
  }
  // Buffered log writes (flushed at 4 KB, on exit and every second): one write per request line
  // would cost a system call on the hot path.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 4096 });
  const flushTimer = setInterval(() => destination.flush(), 1000);
  flushTimer.unref();
  const exit = (code) => {
    destination.flushSync();
    process.exit(code);
  };
  const logger = pino({ level: config.logLevel, base: { service: 'modeldock-service' } }, destination);
  const manifest = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8'));

  const served = await readServedModel(root, manifest);
  const problems = served.problem ? [served.problem] : await verifyModelFiles(root, manifest);
  // The drift reference profile (bin edges and shares), when the bundle was exported with one.
  const driftFile = manifest.drift?.profile
    ? await readListedFile(root, manifest, manifest.drift.profile)
    : undefined;
  if (driftFile?.problem) problems.push(driftFile.problem);
  // The background rows of POST /explain, when the bundle was exported with them.
  const backgroundFile = manifest.explain?.background
    ? await readListedFile(root, manifest, manifest.explain.background)
    : undefined;
  if (backgroundFile?.problem) problems.push(backgroundFile.problem);
  if (problems.length > 0) {
    for (const problem of problems) {
      logger.fatal(
        {
          event: 'integrity-check-failed',
          file: problem.file,
          expectedSha256: problem.expected,
          actualSha256: problem.actual,
          reason: problem.reason,
        },
        problem.actual || /^[A-Z]+$/.test(problem.reason)
          ? `Refusing to start: ${problem.file} does not match manifest.json (expected sha256 ${problem.expected}, found ${problem.actual ?? problem.reason}). The bundle was changed after export; restore the file or export the model again.`
          : `Refusing to start: ${problem.file}: ${problem.reason}. The bundle was changed after export; export the model again.`,
      );
    }
    exit(3);
  }

  const driftProfile = driftFile ? JSON.parse(driftFile.bytes.toString('utf8')) : undefined;
  const startedFields = {
    model: manifest.name,
    version: manifest.version,
    sha256: manifest.model.sha256,
    auth: Boolean(config.apiKey),
    drift: driftProfile ? { inputs: driftProfile.features.length, window: config.driftWindow } : false,
  };
  const clustered = config.workers > 1;
  if (clustered && cluster.isPrimary) {
    // The checks above ran here first (a bad bundle stops before any worker starts); the workers
    // load the model, the primary only coordinates (cluster.js).
    const flushed = {
      info: (...args) => {
        logger.info(...args);
        destination.flush(); // scripts and orchestrators wait for the "started" line
      },
      error: logger.error.bind(logger),
      fatal: logger.fatal.bind(logger),
    };
    await runPrimary({ config, logger: flushed, exit, manifest, driftProfile, startedFields });
    return;
  }

  const model = await LoadedModel.load(manifest, served.bytes, { batchRequests: config.batchRequests });
  const background = backgroundFile ? parseExplainBackground(manifest, backgroundFile.bytes) : undefined;
  const app = buildApp({
    manifest,
    model,
    config,
    logger,
    driftProfile,
    background,
    ...(clustered ? { cluster: workerSources() } : {}),
  });
  if (clustered) shareMetrics(app.metricsRegistry);
  const sockets = trackConnections(app.server);
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.server.address();
  let metricsServer;
  if (clustered) {
    announceListening(port);
  } else {
    metricsServer =
      config.metricsPort === undefined
        ? undefined
        : await startMetricsServer(app.metricsRegistry, {
            port: config.metricsPort,
            host: config.metricsHost,
          });
    logger.info(
      {
        event: 'started',
        ...startedFields,
        port,
        ...(metricsServer ? { metricsPort: metricsServer.address().port } : {}),
      },
      `Serving ${manifest.name} ${manifest.version} on ${config.host}:${port}`,
    );
    destination.flush(); // scripts and orchestrators wait for this line
  }

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    app.modelState.ready = false;
    if (!clustered)
      logger.info({ event: 'draining', signal }, `${signal}: finishing requests in flight, then stopping`);
    const drained = await drainServer(app.server, sockets, { timeoutMs: config.shutdownTimeoutMs });
    metricsServer?.close();
    if (!drained) {
      logger.error(
        { event: 'drain-timeout' },
        `Requests still running after ${config.shutdownTimeoutMs} ms; stopping anyway`,
      );
      exit(1);
    }
    // A worker's stop is the primary's to report.
    if (!clustered) logger.info({ event: 'stopped' }, 'Stopped');
    exit(0);
  };
  if (clustered) {
    // The primary orders a worker's stop (cluster.js), in two steps: stop accepting, then drain. A
    // signal sent to the whole process group (Ctrl-C) reaches the workers too; draining on it at once
    // would tell clients to reconnect while the shared socket still takes connections nobody accepts.
    process.on('SIGTERM', () => {});
    process.on('SIGINT', () => {});
    serveWorkerRequests({
      drift: app.drift,
      onStopAccepting: () => stopAccepting(app.server),
      onStop: (signal) => void stop(signal),
    });
  } else {
    process.on('SIGTERM', () => void stop('SIGTERM'));
    process.on('SIGINT', () => void stop('SIGINT'));
  }
}

start().catch((error) => {
  pino().fatal({ err: error, event: 'start-failed' }, `Could not start: ${error.message}`);
  process.exit(1);
});
