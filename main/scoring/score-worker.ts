/**
 * The batch engine's worker thread: parsing, inference and writing run here so the thread that
 * answers the UI (and other calls) stays responsive during a long run. Sessions can't cross
 * threads, so the worker makes its own from the model bytes the model service serves.
 */
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession } from 'onnxruntime-node';
import { toAppErrorData } from '../errors.ts';
import { runEngine } from './engine.ts';
import { batchSessionOptions, createSessionPredictor } from './session-predictor.ts';
import type { EngineJob } from './types.ts';

/**
 * What a worker starts with: it creates its session at once, while the service is still preparing
 * the run (finding where to cut the file), then waits for its job (JobMessage).
 */
export interface WorkerInput {
  modelBytes?: Uint8Array;
  /** Model B, in a compare run. */
  otherModelBytes?: Uint8Array;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 to cancel, read without waiting for messages. */
  cancelFlag: Int32Array;
}

export interface JobMessage {
  type: 'job';
  job: EngineJob;
}

export type WorkerMessage =
  | { type: 'progress'; progress: import('./types.ts').EngineProgress }
  | { type: 'done'; result: import('./engine.ts').EngineResult }
  | {
      type: 'error';
      error: import('../../shared/contract/index.ts').AppErrorData;
      /** Set for an unexpected error (not a typed one): its stack, for the main thread's log. */
      stack?: string;
    };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('score-worker must run in a worker thread');
  const { modelBytes, otherModelBytes, cancelFlag } = workerData as WorkerInput;
  const post = (message: WorkerMessage) => port.postMessage(message);
  const creating = modelBytes ? InferenceSession.create(modelBytes, batchSessionOptions) : undefined;
  const creatingOther = otherModelBytes
    ? InferenceSession.create(otherModelBytes, batchSessionOptions)
    : undefined;
  // Reported below, once there is a job to report them for.
  creating?.catch(() => undefined);
  creatingOther?.catch(() => undefined);
  const job = await new Promise<EngineJob>((resolve) => {
    port.once('message', (message: JobMessage) => resolve(message.job));
  });
  let session: InferenceSession | undefined;
  let other: InferenceSession | undefined;
  try {
    session = await creating;
    other = await creatingOther;
    if (job.kind === 'score' && !session) throw new Error('score-worker: no model bytes');
    const modelB = job.outputs?.compare?.modelB;
    const result = await runEngine(job, {
      predict: session ? createSessionPredictor(session, job.model, job.mapping) : undefined,
      predictOther: other && modelB ? createSessionPredictor(other, modelB, job.mapping) : undefined,
      onProgress: (progress) => post({ type: 'progress', progress }),
      isCancelled: () => Atomics.load(cancelFlag, 0) === 1,
    });
    // The sorted scores (8 bytes a row) are moved to the main thread, not copied.
    const sorted = result.reportState ? [result.reportState.positives, result.reportState.negatives] : [];
    const buffers = new Set(sorted.map((scores) => scores.buffer).filter((b) => b instanceof ArrayBuffer));
    port.postMessage({ type: 'done', result } satisfies WorkerMessage, [...buffers]);
  } catch (error) {
    // A worker has no logger: an unexpected error's stack goes to the main thread, which logs it.
    const unexpected = !(error instanceof Error && 'code' in error);
    post({
      type: 'error',
      error: toAppErrorData(error),
      ...(unexpected ? { stack: error instanceof Error ? error.stack : String(error) } : {}),
    });
  } finally {
    await session?.release();
    await other?.release();
  }
}

// Not a top-level await: the built worker (dist/score-worker.cjs) is a CommonJS script.
void main();
