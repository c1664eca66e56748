import type { ResourceLimits, Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import { startWorker } from '../workers/start-worker.ts';
import type { EngineResult } from './engine.ts';
import type { JobMessage, WorkerInput, WorkerMessage } from './score-worker.ts';
import type { EngineJob, EngineProgress, EngineStage } from './types.ts';

export interface PoolOptions {
  progressIntervalMs: number;
  /** After asking the workers to stop, how long to wait before terminating them outright. */
  cancelGraceMs: number;
  /** Old-generation heap of each worker when two run. */
  parallelHeapMb: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EngineProgress) => void;
}

/** What the workers load before their jobs arrive: the model's bytes, and model B's in a compare run. */
export interface WorkerModels {
  modelBytes?: Uint8Array;
  otherModelBytes?: Uint8Array;
}

/** Workers spawned for a run, loading the model until each gets its job (runWorkers). */
export interface StartedWorkers {
  workers: Promise<Worker[]>;
  /** [0] becomes 1 to cancel: shared by the workers of one run. */
  cancelFlag: Int32Array;
  /** Terminates workers that won't get a job. */
  stop(): void;
}

/** A worker's error from before runWorkers listened to it. */
const earlyErrors = new WeakMap<Worker, Error>();

/** Spawns `count` workers that load the model(s) now and wait for their jobs (runWorkers). */
export function startWorkers(count: number, models: WorkerModels, options: PoolOptions): StartedWorkers {
  const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
  const limits = workerLimits(count, options.parallelHeapMb);
  let stopped = false;
  const workers = Promise.resolve().then(() =>
    stopped
      ? []
      : Array.from({ length: count }, () => {
          // The one way to start a worker (main/workers/start-worker.ts).
          const worker = startWorker('score-worker', {
            workerData: { ...models, cancelFlag } satisfies WorkerInput,
            resourceLimits: limits,
          });
          // Until runWorkers listens, an 'error' event without a listener would throw in this thread.
          worker.once('error', (error) => earlyErrors.set(worker, error));
          return worker;
        }),
  );
  return {
    workers,
    cancelFlag,
    stop() {
      stopped = true;
      void workers.then((list) => {
        for (const worker of list) void worker.terminate();
      });
    },
  };
}

const stageOrder: EngineStage[] = ['reading', 'metrics', 'writing'];

/**
 * Gives each started worker its job, all stopped by one cancel flag, and resolves with their results in job
 * order. Progress is summed over the workers (the stage is the least advanced one). When one fails, the error
 * a single worker would have reported wins: the first part's error stops the later parts at once; a later
 * part's error waits for the earlier parts, whose own error (earlier in the file) then comes first.
 */
export async function runWorkers(
  jobs: EngineJob[],
  started: StartedWorkers,
  options: RunOptions,
  pool: PoolOptions,
): Promise<EngineResult[]> {
  const { cancelFlag } = started;
  const workers = await started.workers;
  if (workers.length !== jobs.length) throw new Error('runWorkers: one worker per job');
  jobs.forEach((job, index) => {
    workers[index]?.postMessage({ type: 'job', job } satisfies JobMessage);
  });
  const latest: Array<EngineProgress | undefined> = jobs.map(() => undefined);
  const bytesTotal = jobs.reduce((sum, job) => sum + (job.part ? job.part.end - job.part.start : 0), 0);
  let lastProgress = 0;
  let lastStage: EngineStage | undefined;
  const onProgress = (index: number, progress: EngineProgress) => {
    if (!options.onProgress) return;
    if (jobs.length === 1) {
      options.onProgress(progress);
      return;
    }
    latest[index] = progress;
    const parts = latest.filter((entry) => entry !== undefined);
    const stage =
      parts.length < jobs.length
        ? 'reading'
        : (stageOrder[Math.min(...parts.map((entry) => stageOrder.indexOf(entry.stage)))] ?? 'reading');
    const combined: EngineProgress = {
      stage,
      rows: parts.reduce((sum, entry) => sum + entry.rows, 0),
      bytesDone: parts.reduce((sum, entry) => sum + entry.bytesDone, 0),
      bytesTotal,
      rowsPerSecond: parts.reduce((sum, entry) => sum + entry.rowsPerSecond, 0),
      etaSeconds: Math.max(...parts.map((entry) => entry.etaSeconds)),
    };
    const now = performance.now();
    if (
      stage === lastStage &&
      combined.bytesDone < bytesTotal &&
      now - lastProgress < pool.progressIntervalMs
    )
      return;
    lastProgress = now;
    lastStage = stage;
    options.onProgress(combined);
  };
  let killTimer: NodeJS.Timeout | undefined;
  const stopAll = () => {
    Atomics.store(cancelFlag, 0, 1);
    // The engine checks the flag between chunks and batches; if it is stuck in one long step, stop the thread.
    killTimer ??= setTimeout(() => {
      for (const worker of workers) void worker.terminate();
    }, pool.cancelGraceMs);
  };
  const onAbort = () => stopAll();
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const runs = workers.map((worker, index) =>
    workerResult(worker, options.signal, (progress) => onProgress(index, progress)).catch(
      (error: unknown) => {
        // An error in the first part, or a lack of memory, decides the run: the others stop now.
        if (index === 0 || isOutOfMemory(error)) stopAll();
        throw error;
      },
    ),
  );
  try {
    const settled = await Promise.allSettled(runs);
    const failures = settled.flatMap((entry) => (entry.status === 'rejected' ? [entry.reason] : []));
    if (failures.length > 0) throw failures.find(isOutOfMemory) ?? failures[0];
    return settled.map((entry) => (entry as PromiseFulfilledResult<EngineResult>).value);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    if (killTimer) clearTimeout(killTimer);
  }
}

/** The result a worker posts, or its error; a worker that exits without either was terminated. */
function workerResult(
  worker: Worker,
  signal: AbortSignal | undefined,
  onProgress: (progress: EngineProgress) => void,
): Promise<EngineResult> {
  return new Promise<EngineResult>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'done') finish(() => resolve(message.result));
      else
        finish(() =>
          reject(
            message.stack === undefined
              ? new AppError(message.error.code, message.error.message, message.error.details)
              : // An unexpected failure in the worker: rethrown here as one, with the worker's stack, so the
                // handler table logs it like any other.
                Object.assign(new Error(`The scoring worker failed: ${message.error.message}`), {
                  stack: message.stack,
                }),
          ),
        );
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => {
      finish(() =>
        signal?.aborted
          ? reject(new AppError('cancelled', 'Scoring was cancelled; no output file was written.'))
          : reject(
              earlyErrors.get(worker) ??
                new Error(`The scoring worker stopped unexpectedly (exit code ${code}).`),
            ),
      );
    });
  });
}

/**
 * One worker: a young generation of 32 MB (V8's default is smaller), as the parser makes millions of
 * short-lived strings; measured with bench/batch.ts, 16 MB cost ~25% more CPU in garbage collection,
 * 96 MB added ~30 MB of peak RSS for no further gain. Two workers (1M rows, sample model): with the
 * same limits peak RSS went from ~220 MB to ~290 MB, as V8 lets each old generation grow; 16 MB
 * young and an old generation capped at `heapMb` (48) gave ~237 MB for ~5% more CPU time; 8 MB young
 * saved another ~15 MB for ~25% more CPU, and a 32 MB old-generation cap doubled the time in GC.
 */
function workerLimits(workers: number, heapMb: number): ResourceLimits {
  if (workers === 1) return { maxYoungGenerationSizeMb: 32 };
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: heapMb };
}

export function isOutOfMemory(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}
