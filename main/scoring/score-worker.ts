/**
 * The batch engine's worker thread: parsing, inference and writing run here so the thread that
 * answers the UI (and other calls) stays responsive during a long run. Sessions can't cross
 * threads, so the worker makes its own from the model bytes the model service serves.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession } from 'onnxruntime-node';
import { toAppErrorData } from '../errors.ts';
import { runEngine } from './engine.ts';
import { batchSessionOptions, createSessionPredictor } from './session-predictor.ts';
import type { EngineJob } from './types.ts';

export interface WorkerInput {
  job: EngineJob;
  modelBytes?: Uint8Array;
  /** Int32Array over a SharedArrayBuffer: [0] becomes 1 to cancel, read without waiting for messages. */
  cancelFlag: Int32Array;
}

export type WorkerMessage =
  | { type: 'progress'; progress: import('./types.ts').EngineProgress }
  | { type: 'done'; result: import('./engine.ts').EngineResult }
  | { type: 'error'; error: import('../../shared/contract/index.ts').AppErrorData };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('score-worker must run in a worker thread');
  const { job, modelBytes, cancelFlag } = workerData as WorkerInput;
  const post = (message: WorkerMessage) => port.postMessage(message);
  let session: InferenceSession | undefined;
  try {
    if (job.kind === 'score') {
      if (!modelBytes) throw new Error('score-worker: no model bytes');
      session = await InferenceSession.create(modelBytes, batchSessionOptions);
    }
    const result = await runEngine(job, {
      predict: session ? createSessionPredictor(session, job.model, job.mapping) : undefined,
      onProgress: (progress) => post({ type: 'progress', progress }),
      isCancelled: () => Atomics.load(cancelFlag, 0) === 1,
    });
    post({ type: 'done', result });
  } catch (error) {
    if (!(error instanceof Error && 'code' in error))
      console.error('[modeldock] batch worker failed:', error);
    post({ type: 'error', error: toAppErrorData(error) });
  } finally {
    await session?.release();
  }
}

// Not a top-level await: the pre-bundled worker (worker-bundle.ts) is a CommonJS script.
void main();
