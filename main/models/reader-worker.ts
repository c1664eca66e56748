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
import { checksumBytes } from './checksums.ts';
import { type ConvertedAndPrepared, ownsBuffer } from './model-reader.ts';
import { type PreparedOnnx, prepareOnnx } from './prepare-onnx.ts';

export type ReaderJob =
  | {
      kind: 'convert';
      /** One file, or files saved side by side that combine into one pipeline (XGBoost). */
      filePath: string | readonly string[];
      dataDir: string;
      sha256: string;
      /**
       * Also decode and inspect the converted ONNX here (as the file name the user sees), so that
       * work on a large model is under this worker's budget instead of blocking the caller's thread.
       */
      prepareAs?: string;
    }
  | { kind: 'prepare-onnx'; bytes: Uint8Array; fileName: string };

export type ReaderMessage = { type: 'done'; result: unknown } | { type: 'error'; error: AppErrorData };

async function run(job: ReaderJob): Promise<SklearnConversion | ConvertedAndPrepared | PreparedOnnx> {
  if (job.kind === 'prepare-onnx') return prepareOnnx(job.bytes, job.fileName);
  const converted = await convertSklearnFile(job.filePath, { dataDir: job.dataDir, sha256: job.sha256 });
  if (job.prepareAs === undefined) return converted;
  return {
    ...converted,
    prepared: prepareOnnx(converted.onnxBytes, job.prepareAs),
    onnxSha256: checksumBytes(converted.onnxBytes).sha256,
  };
}

/**
 * The result's large byte arrays, to move rather than copy to the parent (a 100 MB converted forest
 * would otherwise exist in both threads); each buffer once, as postMessage requires.
 */
function movableBuffers(result: object): ArrayBuffer[] {
  const arrays = [
    'onnxBytes' in result ? result.onnxBytes : undefined,
    'servedBytes' in result ? result.servedBytes : undefined,
    'prepared' in result ? (result.prepared as PreparedOnnx).servedBytes : undefined,
  ];
  const buffers = new Set<ArrayBuffer>();
  for (const bytes of arrays) {
    if (bytes instanceof Uint8Array && ownsBuffer(bytes)) buffers.add(bytes.buffer as ArrayBuffer);
  }
  return [...buffers];
}

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('reader-worker must run in a worker thread');
  let message: ReaderMessage;
  let transfer: ArrayBuffer[] = [];
  try {
    // A reader started ahead of time (model-reader.ts's spare) gets its job as its first message.
    const job =
      (workerData as ReaderJob | null) ??
      (await new Promise<ReaderJob>((resolve) => port.once('message', resolve)));
    const result = await run(job);
    transfer = movableBuffers(result);
    message = { type: 'done', result };
  } catch (error) {
    message = { type: 'error', error: toAppErrorData(error) };
  }
  port.postMessage(message, transfer);
}

void main();
