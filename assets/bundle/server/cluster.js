// WORKERS > 1: one process per core (node:cluster). The primary forks the workers, which share the
// listening port (the primary hands connections out in turn), and answers for the whole service what
// one worker cannot: /metrics (prom-client's AggregatorRegistry sums the workers' counters and
// histograms) and drift (each worker keeps its last DRIFT_WINDOW rows' bins and times; the primary
// keeps the newest DRIFT_WINDOW of them all and computes their PSI with the same code). Workers ask the
// primary over IPC when /metrics or /drift reaches them. SIGTERM to the primary drains every worker.
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import client from 'prom-client';
import { createDrift } from './drift.js';
import { startMetricsServer } from './metrics.js';

const message = (type, fields = {}) => ({ modeldock: type, ...fields });

/** Asks every live worker for something over IPC and gathers the answers. */
function askWorkers(type) {
  const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker?.isConnected());
  return Promise.all(
    workers.map(
      (worker) =>
        new Promise((resolve) => {
          const id = randomUUID();
          const onMessage = (reply) => {
            if (reply?.modeldock !== `${type}-reply` || reply.id !== id) return;
            worker.off('message', onMessage);
            clearTimeout(timer);
            resolve(reply.value);
          };
          // A worker that is stopping may not answer: leave it out rather than hang the scrape.
          const timer = setTimeout(() => {
            worker.off('message', onMessage);
            resolve(undefined);
          }, 2000);
          worker.on('message', onMessage);
          worker.send(message(type, { id }));
        }),
    ),
  ).then((values) => values.filter((value) => value !== undefined));
}

/**
 * The primary: fork `config.workers` workers, log "started" once all listen, serve the aggregated
 * metrics and drift to them, drain them all on SIGTERM.
 */
export async function runPrimary({ config, logger, exit, manifest, driftProfile, startedFields }) {
  const aggregator = new client.AggregatorRegistry();
  const primaryRegistry = new client.Registry();
  // The primary's drift instance only computes: the rows are in the workers' windows.
  const drift = createDrift(manifest, driftProfile, {
    windowSize: config.driftWindow,
    registry: new client.Registry(),
    clustered: true,
  });
  const gatherDrift = () => askWorkers('drift-snapshot');
  if (drift.enabled) drift.registerGauges(primaryRegistry, gatherDrift);
  const metricsText = async () => {
    const [workers, own] = await Promise.all([aggregator.clusterMetrics(), primaryRegistry.metrics()]);
    return `${workers.trimEnd()}\n${own}`.trimEnd().concat('\n');
  };
  const registry = { contentType: primaryRegistry.contentType, metrics: metricsText };

  let stopping = false;
  let listening = 0;
  let port;
  const onWorkerMessage = (worker, received) => {
    if (received?.modeldock === 'listening') {
      listening += 1;
      port = received.port;
      if (listening === config.workers) void announce();
    } else if (received?.modeldock === 'metrics') {
      metricsText().then(
        (value) => worker.send(message('metrics-reply', { id: received.id, value })),
        (error) => {
          logger.error(
            { event: 'metrics-failed', err: error },
            "The workers' metrics could not be collected",
          );
          worker.send(message('metrics-reply', { id: received.id, value: '' }));
        },
      );
    } else if (received?.modeldock === 'drift') {
      void gatherDrift().then((snapshots) =>
        worker.send(message('drift-reply', { id: received.id, value: drift.report(snapshots) })),
      );
    }
  };
  cluster.on('message', onWorkerMessage);

  let metricsServer;
  const announce = async () => {
    if (config.metricsPort !== undefined) {
      metricsServer = await startMetricsServer(registry, {
        port: config.metricsPort,
        host: config.metricsHost,
      });
    }
    logger.info(
      {
        event: 'started',
        ...startedFields,
        port,
        workers: config.workers,
        ...(metricsServer ? { metricsPort: metricsServer.address().port } : {}),
      },
      `Serving ${manifest.name} ${manifest.version} on ${config.host}:${port} with ${config.workers} workers`,
    );
  };

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) {
      stoppedAccepting(worker);
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        metricsServer?.close();
        logger.info({ event: 'stopped' }, 'Stopped');
        exit(0);
      }
      return;
    }
    if (listening < config.workers) {
      // A worker that could not start will not start the next time either.
      logger.fatal({ event: 'worker-failed', code, signal }, 'A worker failed to start; stopping');
      exit(code || 1);
    }
    logger.error({ event: 'worker-exited', code, signal }, 'A worker stopped; starting another');
    cluster.fork();
  });

  // SIGTERM in two steps. The listening socket is one for all processes and stays open in the kernel
  // until the last of them closes it, the primary included (node:cluster keeps a copy to hand to new
  // workers, and lets go of it once every worker has closed theirs). A connection the kernel completes
  // while the socket is open but no worker accepts any more waits in its queue and is reset when the
  // socket closes. So: first every worker stops accepting and the socket closes (new connections are
  // refused from then on); only then do the workers drain, answering with `Connection: close`, so the
  // keep-alive clients they send away reconnect to a closed port instead of into that queue.
  let stopSignal;
  let draining = false;
  const waitingToStopAccepting = new Set();
  const drain = () => {
    if (draining) return;
    draining = true;
    for (const worker of Object.values(cluster.workers ?? {}))
      if (worker?.isConnected()) worker.send(message('stop', { signal: stopSignal }));
  };
  const stoppedAccepting = (worker) => {
    if (waitingToStopAccepting.delete(worker.id) && waitingToStopAccepting.size === 0) drain();
  };
  cluster.on('message', (worker, received) => {
    if (received?.modeldock === 'stopped-accepting') stoppedAccepting(worker);
  });

  const stop = (signal) => {
    if (stopping) return;
    stopping = true;
    stopSignal = signal;
    logger.info({ event: 'draining', signal }, `${signal}: every worker finishes its requests, then stops`);
    const workers = Object.values(cluster.workers ?? {}).filter((worker) => worker?.isConnected());
    for (const worker of workers) {
      waitingToStopAccepting.add(worker.id);
      worker.send(message('stop-accepting'));
    }
    if (workers.length === 0) drain();
    // A worker that does not answer (hung, or its channel gone) must not hold up the others' drain.
    setTimeout(drain, 2000).unref();
    const timer = setTimeout(() => {
      logger.error(
        { event: 'drain-timeout' },
        `Workers still running after ${config.shutdownTimeoutMs} ms; stopping anyway`,
      );
      exit(1);
    }, config.shutdownTimeoutMs + 2000);
    timer.unref();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  // Each worker accepts from the shared socket itself (SCHED_NONE). With round-robin the primary
  // accepts and hands connections over, and one accepted while the workers stop listening on SIGTERM
  // has nowhere to go but a reset.
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  for (let index = 0; index < config.workers; index++) cluster.fork();
}

/** A worker's metrics are the ones the primary's AggregatorRegistry collects. */
export function shareMetrics(registry) {
  // Constructing one installs prom-client's listener that answers the primary's requests.
  new client.AggregatorRegistry();
  client.AggregatorRegistry.setRegistries([registry]);
}

/** A worker's side: what buildApp needs to answer /metrics and /drift for the whole service. */
export function workerSources() {
  const ask = (type) =>
    new Promise((resolve) => {
      const id = randomUUID();
      const onMessage = (reply) => {
        if (reply?.modeldock !== `${type}-reply` || reply.id !== id) return;
        process.off('message', onMessage);
        resolve(reply.value);
      };
      process.on('message', onMessage);
      process.send(message(type, { id }));
    });
  return { metricsText: () => ask('metrics'), driftReport: () => ask('drift') };
}

/** A worker answers the primary's requests: its drift windows' counts, stop accepting, and stop. */
export function serveWorkerRequests({ drift, onStopAccepting, onStop }) {
  process.on('message', (received) => {
    if (received?.modeldock === 'drift-snapshot') {
      process.send(message('drift-snapshot-reply', { id: received.id, value: drift.snapshot(true) }));
    } else if (received?.modeldock === 'stop-accepting') {
      onStopAccepting();
      // Closing the shared handle sent node:cluster's own "close" to the primary just now, on this same
      // channel: by the time this reply arrives, the primary has let go of the handle as well.
      process.send(message('stopped-accepting'));
    } else if (received?.modeldock === 'stop') {
      onStop(received.signal);
    }
  });
}

export function announceListening(port) {
  process.send(message('listening', { port }));
}
