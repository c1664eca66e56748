/**
 * The worker thread that reads one untrusted model file (model-reader.ts starts it): a scikit-learn or
 * XGBoost file is parsed and converted, an ONNX file decoded and inspected. The bytes are parsed here,
 * under the worker's memory limits and the parent's time budget, so a hostile file can't freeze the
 * thread that answers the UI, and if it exhausts the worker only the worker dies.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AppErrorData } from '../../shared/contract/index.ts';
import { toAppErrorData } from '../errors.ts';
import { convertSklearnFile, type SklearnConversion } from '../sklearn/index.ts';
import { ownsBuffer } from './model-reader.ts';
import { type PreparedOnnx, prepareOnnx } from './prepare-onnx.ts';

export type ReaderJob =
  | {
      kind: 'convert';
      /** One file, or files saved side by side that combine into one pipeline (XGBoost). */
      filePath: string | readonly string[];
      dataDir: string;
      sha256: string;
    }
  | { kind: 'prepare-onnx'; bytes: Uint8Array; fileName: string };

export type ReaderMessage = { type: 'done'; result: unknown } | { type: 'error'; error: AppErrorData };

async function run(job: ReaderJob): Promise<SklearnConversion | PreparedOnnx> {
  if (job.kind === 'convert') {
    return convertSklearnFile(job.filePath, { dataDir: job.dataDir, sha256: job.sha256 });
  }
  return prepareOnnx(job.bytes, job.fileName);
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('reader-worker must run in a worker thread');
  let message: ReaderMessage;
  const transfer: ArrayBuffer[] = [];
  try {
    const result = await run(workerData as ReaderJob);
    const served = 'servedBytes' in result ? result.servedBytes : undefined;
    if (served && ownsBuffer(served)) transfer.push(served.buffer as ArrayBuffer);
    message = { type: 'done', result };
  } catch (error) {
    message = { type: 'error', error: toAppErrorData(error) };
  }
  port.postMessage(message, transfer);
}

void main();
