import { constants } from 'node:fs';
import { access, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';

/** leads-scored.csv → leads-scored.errors.csv, next to the output. */
export function errorsPathFor(outputPath: string): string {
  const extension = path.extname(outputPath);
  const base = extension ? outputPath.slice(0, -extension.length) : outputPath;
  return `${base}.errors.csv`;
}

export async function exists(filePath: string): Promise<boolean> {
  try {
    await stat(filePath);
    return true;
  } catch {
    return false;
  }
}

/** Same path after resolving symlinks, or the same file through a hard link. */
async function sameFile(a: string, b: string): Promise<boolean> {
  const real = async (p: string) => {
    try {
      return await realpath(p);
    } catch {
      try {
        return path.join(await realpath(path.dirname(p)), path.basename(p));
      } catch {
        return path.resolve(p);
      }
    }
  };
  if ((await real(a)) === (await real(b))) return true;
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** The output never replaces the input, an existing file only when asked, and the folder must be writable. */
export async function assertOutputAllowed(
  inputPath: string,
  outputPath: string,
  errorsPath: string,
  overwrite: boolean,
): Promise<void> {
  if ((await sameFile(inputPath, outputPath)) || (await sameFile(inputPath, errorsPath))) {
    throw new AppError(
      'output-is-input',
      `The output would replace the input file ${path.basename(inputPath)}; choose another output file.`,
      { path: outputPath },
    );
  }
  if (!overwrite) {
    for (const target of [outputPath, errorsPath]) {
      if (await exists(target)) {
        throw new AppError(
          'output-exists',
          `${path.basename(target)} already exists; confirm to replace it (--force on the command line).`,
          { path: target },
        );
      }
    }
  }
  const folder = path.dirname(outputPath);
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw new Error('not a directory');
    await access(folder, constants.W_OK);
  } catch {
    throw new AppError(
      'io-error',
      `ModelDock can't write to the folder ${folder}; choose another output location.`,
      { path: folder },
    );
  }
}

export function describeWriteError(error: unknown, outputPath: string): unknown {
  const code = (error as { code?: unknown }).code;
  const folder = path.dirname(outputPath);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AppError(
      'io-error',
      `ModelDock can't write to the folder ${folder}; choose another output location.`,
      { path: folder },
    );
  }
  if (code === 'ENOSPC')
    return new AppError('disk-full', `The disk holding ${folder} is full; no output was written.`);
  return error;
}
