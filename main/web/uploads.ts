import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../errors.ts';

/** Generous: models and CSVs are big, and the bytes go to disk as they arrive, never into memory. */
export const defaultUploadLimitBytes = 2 * 1024 ** 3;

/**
 * Keeps a dropped file's name readable but harmless on every OS: no directories, no control characters,
 * no reserved characters, no leading dots, at most 120 characters (extension kept).
 */
export function sanitizeFileName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what we remove
  let clean = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').replace(/^[.\s]+/, '');
  clean = clean.trim();
  if (clean.length > 120) {
    const ext = path.extname(clean).slice(0, 20);
    clean = clean.slice(0, 120 - ext.length) + ext;
  }
  return clean || 'upload';
}

/**
 * Streams a request body into `<dataDir>/uploads/<random>/<sanitized name>` and returns that path.
 * Stops with file-too-large past the limit and removes partial files when the client goes away.
 */
export async function receiveUpload(
  request: IncomingMessage,
  options: { dataDir: string; fileName: string; limitBytes?: number; signal?: AbortSignal },
): Promise<{ path: string; sizeBytes: number }> {
  const limit = options.limitBytes ?? defaultUploadLimitBytes;
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new AppError(
      'file-too-large',
      `The file is ${formatSize(declared)}; browser mode accepts files up to ${formatSize(limit)}.`,
    );
  }
  const dir = path.join(options.dataDir, 'uploads', randomBytes(12).toString('hex'));
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, sanitizeFileName(options.fileName));
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      if (received > limit) {
        callback(
          new AppError(
            'file-too-large',
            `The file is larger than the ${formatSize(limit)} browser mode accepts.`,
          ),
        );
        return;
      }
      callback(null, chunk);
    },
  });
  try {
    await pipeline(request, counter, createWriteStream(target, { flags: 'wx' }), { signal: options.signal });
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    if (error instanceof AppError) throw error;
    throw new AppError('cancelled', 'The upload stopped before the whole file arrived.');
  }
  return { path: target, sizeBytes: received };
}

function formatSize(bytes: number): string {
  if (bytes >= 1024 ** 3) return `${(bytes / 1024 ** 3).toFixed(1)} GB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
  return `${bytes} bytes`;
}
