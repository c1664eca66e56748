import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** Larger than protobuf's 2 GiB message limit cannot be an ONNX model ModelDock can load. */
export const maxOnnxBytes = 2 * 1024 ** 3 - 1;

/** Checks that `filePath` is a readable, non-empty regular file; returns its size. */
export async function statModelFile(filePath: string): Promise<number> {
  const name = path.basename(filePath);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(filePath);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new AppError('file-not-found', `There is no file at ${filePath}.`, { path: filePath });
    }
    if (code === 'EACCES' || code === 'EPERM') {
      throw new AppError('io-error', `ModelDock is not allowed to read ${name}.`, { path: filePath });
    }
    throw error;
  }
  if (info.isDirectory()) {
    throw new AppError('not-a-file', `${name} is a folder, not a model file.`, { path: filePath });
  }
  if (!info.isFile()) {
    throw new AppError('not-a-file', `${name} is not a regular file (a device, pipe or socket).`, {
      path: filePath,
    });
  }
  if (info.size === 0) throw new AppError('empty-file', `${name} is empty (0 bytes).`, { path: filePath });
  return info.size;
}

/** The first `length` bytes of a file (fewer if it is shorter). */
export async function readHead(filePath: string, length: number): Promise<Uint8Array> {
  const handle = await open(filePath, 'r');
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
