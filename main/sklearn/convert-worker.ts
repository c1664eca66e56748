/**
 * The worker thread that reads and converts one scikit-learn/XGBoost file (models/sklearn-bridge.ts
 * starts it): untrusted bytes are parsed here, under the worker's memory limits and the parent's time
 * budget, so a hostile file can't freeze the thread that answers the UI, and if it exhausts the
 * worker only the worker dies.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { AppErrorData } from '../../shared/contract/index.ts';
import { toAppErrorData } from '../errors.ts';
import { convertSklearnFile, type SklearnConversion } from './index.ts';

export interface ConvertJob {
  /** One file, or files saved side by side that combine into one pipeline (XGBoost). */
  filePath: string | readonly string[];
  dataDir: string;
  sha256: string;
}

export type ConvertMessage =
  | { type: 'done'; result: SklearnConversion }
  | { type: 'error'; error: AppErrorData };

async function main(): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('convert-worker must run in a worker thread');
  const { filePath, dataDir, sha256 } = workerData as ConvertJob;
  let message: ConvertMessage;
  try {
    message = { type: 'done', result: await convertSklearnFile(filePath, { dataDir, sha256 }) };
  } catch (error) {
    message = { type: 'error', error: toAppErrorData(error) };
  }
  port.postMessage(message);
}

void main();
