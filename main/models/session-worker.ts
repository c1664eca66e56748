/**
 * The worker thread that holds one open model's onnxruntime session (session-host.ts starts it).
 * onnxruntime-node creates a session synchronously, natively: for a forest of two million tree nodes
 * that is over a second in which the thread that called it answers nothing. Here it blocks only this
 * worker; runs come and go as messages.
 */
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { parentPort, workerData } from 'node:worker_threads';
import { InferenceSession, Tensor } from 'onnxruntime-node';

/** A tensor as it crosses threads: what predictions.ts reads of onnxruntime's Tensor. */
export interface PlainTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
}

export interface SessionJob {
  bytes: Uint8Array;
  options: InferenceSession.SessionOptions;
}

export type SessionRequest =
  | { id: number; kind: 'run'; feeds: Record<string, PlainTensor>; fetches?: readonly string[] }
  | { id: number; kind: 'release' };

export type SessionReply =
  | { type: 'ready' }
  | { type: 'failed'; reason: string }
  | { id: number; type: 'result'; outputs: Record<string, PlainTensor> }
  | { id: number; type: 'error'; reason: string };

function firstLine(error: unknown): string {
  return String((error as Error)?.message ?? error).split('\n')[0]!;
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('session-worker must run in a worker thread');
  const job = workerData as SessionJob;
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(job.bytes, job.options);
  } catch (error) {
    port.postMessage({ type: 'failed', reason: firstLine(error) } satisfies SessionReply);
    return;
  }
  port.postMessage({ type: 'ready' } satisfies SessionReply);
  port.on('message', async (request: SessionRequest) => {
    if (request.kind === 'release') {
      await session.release();
      port.postMessage({ id: request.id, type: 'result', outputs: {} } satisfies SessionReply);
      return;
    }
    try {
      const feeds = Object.fromEntries(
        Object.entries(request.feeds).map(([name, tensor]) => [
          name,
          new Tensor(tensor.type as Tensor.Type, tensor.data as Tensor.DataType, tensor.dims),
        ]),
      );
      const results = request.fetches ? await session.run(feeds, request.fetches) : await session.run(feeds);
      // Copied, not transferred: an output's memory may belong to onnxruntime, which can't be detached.
      const outputs: Record<string, PlainTensor> = {};
      for (const [name, value] of Object.entries(results)) {
        const tensor = value as Tensor;
        outputs[name] = { type: tensor.type, dims: tensor.dims, data: tensor.data };
      }
      port.postMessage({ id: request.id, type: 'result', outputs } satisfies SessionReply);
    } catch (error) {
      port.postMessage({ id: request.id, type: 'error', reason: firstLine(error) } satisfies SessionReply);
    }
  });
}

void main();
