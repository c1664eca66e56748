import { createHash } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { throwIfCancelled } from '../errors.ts';

/** SHA-256 and MD5 of some bytes, as lower-case hex. */
export interface Checksums {
  sha256: string;
  md5: string;
  sizeBytes: number;
}

export interface ChecksumOptions {
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /** Keep the file's bytes (ONNX models are loaded from memory anyway): one read for both. */
  keepBytes?: boolean;
}

// Large reads keep the per-call overhead negligible.
const chunkSize = 4 * 1024 * 1024;
/** Below this size hashing inline is faster than starting the hashing threads. */
const parallelThreshold = 16 * 1024 * 1024;
/** Chunks in flight: one being read while the hashing threads work on the others. */
const slotCount = 3;

/** Checksums of bytes already in memory. */
export function checksumBytes(bytes: Uint8Array): Checksums {
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    md5: createHash('md5').update(bytes).digest('hex'),
    sizeBytes: bytes.length,
  };
}

const cancelledMessage = 'Opening the model was cancelled.';

/**
 * Streams a file once through SHA-256 and MD5; memory stays at a few chunks unless keepBytes.
 * Big files are hashed by two worker threads (one per algorithm) while the main thread only
 * reads: on two cores that is about as fast as the slower hash alone, and it keeps the event
 * loop that answers the UI free. Progress is reported per chunk; the signal is checked between chunks.
 */
export async function checksumFile(
  filePath: string,
  options: ChecksumOptions = {},
): Promise<Checksums & { bytes?: Uint8Array }> {
  throwIfCancelled(options.signal, cancelledMessage);
  const handle = await open(filePath, 'r');
  try {
    const { size } = await handle.stat();
    return size < parallelThreshold
      ? await checksumInline(handle, size, options)
      : await checksumInWorkers(handle, size, options);
  } finally {
    await handle.close();
  }
}

async function checksumInline(handle: FileHandle, size: number, options: ChecksumOptions) {
  const sha256 = createHash('sha256');
  const md5 = createHash('md5');
  const kept = options.keepBytes ? Buffer.allocUnsafe(size) : undefined;
  const scratch = kept ? undefined : Buffer.allocUnsafe(Math.min(chunkSize, Math.max(size, 1)));
  let done = 0;
  while (done < size) {
    throwIfCancelled(options.signal, cancelledMessage);
    const target = kept ?? scratch!;
    const offset = kept ? done : 0;
    const length = Math.min(chunkSize, size - done);
    const { bytesRead } = await handle.read(target, offset, length, done);
    if (bytesRead === 0) break; // the file shrank while being read
    const chunk = target.subarray(offset, offset + bytesRead);
    sha256.update(chunk);
    md5.update(chunk);
    done += bytesRead;
    options.onProgress?.(done, size);
  }
  return {
    sha256: sha256.digest('hex'),
    md5: md5.digest('hex'),
    sizeBytes: done,
    bytes: kept?.subarray(0, done),
  };
}

// Plain CommonJS evaluated in the worker: no TypeScript loader needed there.
const hashWorkerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const hash = require('node:crypto').createHash(workerData.algorithm);
parentPort.on('message', (message) => {
  if (message.slot !== undefined) {
    hash.update(new Uint8Array(message.buffer, 0, message.length));
    parentPort.postMessage({ slot: message.slot });
  } else {
    parentPort.postMessage({ digest: hash.digest('hex') });
  }
});`;

interface HashThread {
  worker: Worker;
  /** Resolves when the thread has hashed `slot`. */
  hashed(slot: number): Promise<void>;
  digest(): Promise<string>;
}

function startHashThread(algorithm: 'sha256' | 'md5'): HashThread {
  const worker = new Worker(hashWorkerSource, { eval: true, workerData: { algorithm } });
  const waiting = new Map<
    number | 'digest',
    { resolve: (value: string) => void; reject: (error: Error) => void }
  >();
  worker.on('message', (message: { slot?: number; digest?: string }) => {
    const key = message.digest !== undefined ? 'digest' : message.slot!;
    waiting.get(key)?.resolve(message.digest ?? '');
    waiting.delete(key);
  });
  const failAll = (error: Error) => {
    for (const pending of waiting.values()) pending.reject(error);
    waiting.clear();
  };
  worker.on('error', failAll);
  // A thread that ends while work is pending would otherwise leave the open hanging.
  worker.on('exit', () => failAll(new Error(`the ${algorithm} hashing thread stopped`)));
  const wait = (key: number | 'digest') =>
    new Promise<string>((resolve, reject) => {
      waiting.set(key, { resolve, reject });
    });
  return {
    worker,
    hashed: (slot) => wait(slot).then(() => undefined),
    digest: () => {
      const result = wait('digest');
      worker.postMessage({});
      return result;
    },
  };
}

async function checksumInWorkers(handle: FileHandle, size: number, options: ChecksumOptions) {
  const threads = [startHashThread('sha256'), startHashThread('md5')] as const;
  const slots = Array.from({ length: slotCount }, () => new SharedArrayBuffer(chunkSize));
  const busy: (Promise<void> | undefined)[] = new Array(slotCount);
  const kept = options.keepBytes ? Buffer.allocUnsafe(size) : undefined;
  let done = 0;
  let hashedBytes = 0;
  try {
    for (let chunk = 0; done < size; chunk++) {
      throwIfCancelled(options.signal, cancelledMessage);
      const slot = chunk % slotCount;
      await busy[slot]; // both threads are finished with this slot's previous chunk
      const view = Buffer.from(slots[slot]!);
      const { bytesRead } = await handle.read(view, 0, Math.min(chunkSize, size - done), done);
      if (bytesRead === 0) break; // the file shrank while being read
      if (kept) view.copy(kept, done, 0, bytesRead);
      done += bytesRead;
      const message = { slot, buffer: slots[slot], length: bytesRead };
      busy[slot] = Promise.all(
        threads.map((thread) => {
          const hashed = thread.hashed(slot);
          thread.worker.postMessage(message);
          return hashed;
        }),
      ).then(() => {
        hashedBytes += bytesRead;
        options.onProgress?.(hashedBytes, size);
      });
      // Awaited later (next use of the slot, or at the end); this only stops an early failure
      // from being reported as unhandled while another slot is awaited.
      busy[slot].catch(() => {});
    }
    await Promise.all(busy);
    const [sha256, md5] = await Promise.all(threads.map((thread) => thread.digest()));
    return { sha256: sha256!, md5: md5!, sizeBytes: done, bytes: kept?.subarray(0, done) };
  } finally {
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }
}

// One rule for reading an expected checksum (bare digest or a sha256sum/md5sum line) and comparing it,
// shared with the renderer's Export gate.
export { compareChecksum } from '../../shared/contract/checksum.ts';
