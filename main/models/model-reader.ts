import type { ResourceLimits, Worker } from 'node:worker_threads';
import { AppError } from '../errors.ts';
import type { SklearnConversion } from '../sklearn/index.ts';
import { startWorker } from '../workers/start-worker.ts';
import type { PreparedOnnx } from './prepare-onnx.ts';
import type { ReaderJob, ReaderMessage } from './reader-worker.ts';

export type { SklearnConversion };

/**
 * What reading (and converting) one model file may cost (issue 18): every file is refused or opened
 * within this time, in a worker whose V8 heap is capped, so a crafted file can't freeze or exhaust the
 * app. A 500-tree forest (~100 MB) converts in a few seconds with a few hundred MB of heap.
 */
export const readerBudget = Object.freeze({
  seconds: 15,
  resourceLimits: { maxOldGenerationSizeMb: 1024, maxYoungGenerationSizeMb: 64 } satisfies ResourceLimits,
});

export interface ConvertOptions {
  dataDir: string;
  sha256: string;
  signal?: AbortSignal;
  /** Tests pass a smaller budget. */
  budget?: { seconds: number; resourceLimits: ResourceLimits };
}

/**
 * Converts a pickle/joblib (or XGBoost) file to ONNX bytes without running any code from it
 * (main/sklearn/), in the reader worker.
 */
export function convertSklearn(
  filePath: string | readonly string[],
  options: ConvertOptions,
): Promise<SklearnConversion> {
  const job: ReaderJob = { kind: 'convert', filePath, dataDir: options.dataDir, sha256: options.sha256 };
  return readOffThread<SklearnConversion>(job, options);
}

/** A converted model with what serving it needs: its ONNX decoded and inspected, and its checksum. */
export interface ConvertedAndPrepared extends SklearnConversion {
  prepared: PreparedOnnx;
  onnxSha256: string;
}

/**
 * Converts as convertSklearn does, then decodes and inspects the ONNX in the same worker: decoding a
 * converted 300-tree forest (~100 MB of ONNX) takes about a second and several hundred MB, which
 * belongs under the worker's budget, not on the thread that answers the UI.
 */
export function convertAndPrepareSklearn(
  filePath: string | readonly string[],
  options: ConvertOptions & { fileName: string },
): Promise<ConvertedAndPrepared> {
  const job: ReaderJob = {
    kind: 'convert',
    filePath,
    dataDir: options.dataDir,
    sha256: options.sha256,
    prepareAs: `${options.fileName} (converted to ONNX)`,
  };
  return readOffThread<ConvertedAndPrepared>(job, options);
}

/** Decodes and inspects an ONNX file's bytes (and bypasses its ZipMaps) in the reader worker. */
export function prepareOnnxOffThread(
  bytes: Uint8Array,
  fileName: string,
  options: Pick<ConvertOptions, 'signal' | 'budget'> = {},
): Promise<PreparedOnnx> {
  // Moved, not copied, when the bytes own their buffer (a 2 GB model must not exist twice); the worker
  // moves the served bytes back.
  const transfer = ownsBuffer(bytes) ? [bytes.buffer as ArrayBuffer] : [];
  return readOffThread<PreparedOnnx>({ kind: 'prepare-onnx', bytes, fileName }, options, transfer);
}

/**
 * Runs one job in a reader worker thread (reader-worker.ts): the thread that answers the UI and other
 * calls stays free, Cancel terminates the worker, and a worker that runs out of its memory or time
 * budget is a refusal naming the limit — the app carries on.
 */
function readOffThread<T>(
  job: ReaderJob,
  options: Pick<ConvertOptions, 'signal' | 'budget'>,
  transferList: ArrayBuffer[] = [],
): Promise<T> {
  const budget = options.budget ?? readerBudget;
  const heapMb = budget.resourceLimits.maxOldGenerationSizeMb;
  if (options.signal?.aborted) return Promise.reject(new AppError('cancelled', 'Cancelled.'));
  return new Promise<T>((resolve, reject) => {
    const worker = takeReader(job, transferList, budget);
    let settled = false;
    const finish = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', cancel);
      void worker.terminate();
      if (keepWarm) warmReader();
      outcome();
    };
    const timer = setTimeout(() => {
      finish(() =>
        reject(
          new AppError(
            'refused-pickle',
            `refused: reading this file took longer than ${budget.seconds} s, the limit for opening one model`,
            { limit: 'time', seconds: budget.seconds },
          ),
        ),
      );
    }, budget.seconds * 1000);
    const cancel = () => finish(() => reject(new AppError('cancelled', 'Cancelled.')));
    options.signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (message: ReaderMessage) => {
      if (message.type === 'done') finish(() => resolve(message.result as T));
      else
        finish(() => reject(new AppError(message.error.code, message.error.message, message.error.details)));
    });
    worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY';
      finish(() =>
        reject(
          outOfMemory
            ? new AppError(
                'refused-pickle',
                `refused: reading this file needed more than ${heapMb} MB of memory, the limit for opening one model`,
                { limit: 'memory', heapMb },
              )
            : new AppError(
                'corrupt-model',
                'ModelDock could not read this model file: the reader stopped unexpectedly.',
                { reason: error.message },
              ),
        ),
      );
    });
    worker.on('exit', (code) => {
      finish(() =>
        reject(
          new AppError(
            'corrupt-model',
            'ModelDock could not read this model file: the reader stopped unexpectedly.',
            {
              exitCode: code,
            },
          ),
        ),
      );
    });
  });
}

/**
 * One reader started ahead of its job (default budget only): a worker takes ~0.1 s to start and compile its
 * bundle, most of opening a small model. It is idle and unref'd until taken, so it never keeps a process
 * (the CLI) alive; a reader runs one job only, so no file ever sees what an earlier one left.
 */
let spareReader: Worker | undefined;

/** Set by long-running processes (the app, browser mode): a new spare is started after each job. */
let keepWarm = false;

/** For the app and browser mode: a reader is always ready for the next file. */
export function keepReaderWarm(): void {
  keepWarm = true;
  warmReader();
}

/** Starts the spare reader if there is none; model opening calls it as early as it can. */
export function warmReader(): void {
  if (spareReader) return;
  const worker = startWorker('model-reader', {
    workerData: null,
    resourceLimits: readerBudget.resourceLimits,
  });
  worker.unref();
  const drop = () => {
    if (spareReader === worker) spareReader = undefined;
  };
  worker.once('error', drop);
  worker.once('exit', drop);
  spareReader = worker;
}

function takeReader(
  job: ReaderJob,
  transferList: ArrayBuffer[],
  budget: { seconds: number; resourceLimits: ResourceLimits },
): Worker {
  const spare = spareReader;
  if (spare && budget === readerBudget) {
    spareReader = undefined;
    spare.removeAllListeners('error');
    spare.removeAllListeners('exit');
    spare.ref();
    spare.postMessage(job, transferList);
    return spare;
  }
  return startWorker('model-reader', {
    workerData: job,
    transferList,
    resourceLimits: budget.resourceLimits,
  });
}

/** Whether a byte array is the whole of a plain ArrayBuffer, so moving that buffer moves nothing else. */
export function ownsBuffer(bytes: Uint8Array): boolean {
  return (
    bytes.buffer instanceof ArrayBuffer &&
    bytes.byteOffset === 0 &&
    bytes.byteLength === bytes.buffer.byteLength
  );
}
