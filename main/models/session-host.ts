import type { InferenceSession } from 'onnxruntime-node';
import { AppError } from '../errors.ts';
import { startWorker } from '../workers/start-worker.ts';
import type { TensorLike } from './predictions.ts';
import type { PlainTensor, SessionJob, SessionReply, SessionRequest } from './session-worker.ts';
import type { Feeds } from './tensors.ts';

/** What ModelDock asks of an open model's session; onnxruntime's InferenceSession has this shape too. */
export interface ModelSession {
  run(feeds: Feeds): Promise<Record<string, TensorLike>>;
  run(feeds: Feeds, fetches: readonly string[]): Promise<Record<string, TensorLike>>;
  release(): Promise<void>;
}

/**
 * Creates an onnxruntime session in a worker thread of its own (session-worker.ts) and runs it there.
 * onnxruntime-node's create is synchronous and native: on the thread that answers calls, a forest of
 * 2.4 million tree nodes stalled it 1.5 s. Creation has `seconds` to finish and stops on `signal`.
 */
export function createSessionOffThread(
  bytes: Uint8Array,
  fileName: string,
  options: { sessionOptions: InferenceSession.SessionOptions; seconds: number; signal?: AbortSignal },
): Promise<ModelSession> {
  // A copy goes to the worker: the caller keeps its bytes (export writes them).
  const job: SessionJob = { bytes, options: options.sessionOptions };
  const worker = startWorker('session-worker', { workerData: job });
  const pending = new Map<number, { resolve: (reply: SessionReply) => void }>();
  let nextId = 0;
  let stopped: AppError | undefined;
  // Referenced while something waits on the worker, so a CLI run ends when nothing does.
  const updateRef = () => (pending.size > 0 ? worker.ref() : worker.unref());
  const stop = (error: AppError) => {
    stopped ??= error;
    for (const { resolve } of pending.values()) resolve({ id: -1, type: 'error', reason: error.message });
    pending.clear();
    void worker.terminate();
  };
  const session: ModelSession = {
    run(feeds: Feeds, fetches?: readonly string[]): Promise<Record<string, TensorLike>> {
      if (stopped) return Promise.reject(stopped);
      const id = nextId++;
      const plain: Record<string, PlainTensor> = {};
      for (const [name, tensor] of Object.entries(feeds))
        plain[name] = { type: tensor.type, dims: tensor.dims, data: tensor.data };
      const request: SessionRequest = { id, kind: 'run', feeds: plain, ...(fetches ? { fetches } : {}) };
      return new Promise((resolve, reject) => {
        pending.set(id, {
          resolve: (reply) => {
            if (reply.type === 'result') resolve(reply.outputs);
            else reject(new Error(reply.type === 'error' ? reply.reason : 'the session stopped'));
          },
        });
        updateRef();
        worker.postMessage(request);
      });
    },
    async release() {
      stop(new AppError('model-not-open', 'That model is not open (it may have been closed).'));
    },
  };
  return new Promise<ModelSession>((resolve, reject) => {
    let ready = false;
    const fail = (error: AppError) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', cancel);
      stop(error);
      reject(error);
    };
    const timer = setTimeout(
      () =>
        fail(
          new AppError(
            'refused-pickle',
            `refused: loading this model took longer than ${options.seconds} s, the limit for opening one model`,
            { limit: 'time', seconds: options.seconds },
          ),
        ),
      options.seconds * 1000,
    );
    const cancel = () => fail(new AppError('cancelled', 'Opening the model was cancelled.'));
    options.signal?.addEventListener('abort', cancel, { once: true });
    worker.on('message', (reply: SessionReply) => {
      if (reply.type === 'ready') {
        ready = true;
        clearTimeout(timer);
        options.signal?.removeEventListener('abort', cancel);
        updateRef();
        resolve(session);
      } else if (reply.type === 'failed') {
        fail(
          new AppError('unsupported-model', `onnxruntime cannot load ${fileName}: ${reply.reason}`, {
            reason: reply.reason,
          }),
        );
      } else {
        const waiting = pending.get(reply.id);
        pending.delete(reply.id);
        updateRef();
        waiting?.resolve(reply);
      }
    });
    const died = (reason: string) => {
      const error = new AppError('internal', `The session of ${fileName} stopped unexpectedly: ${reason}`);
      if (ready) stop(error);
      else fail(error);
    };
    worker.on('error', (error) => died(error.message));
    worker.on('exit', (code) => {
      if (!stopped) died(`exit code ${code}`);
    });
  });
}
