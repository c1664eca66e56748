import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/**
 * Everything ModelDock writes goes to a temporary name beside the target and is renamed over it when
 * complete, so a reader (or a crash) never sees half a file. One naming scheme for all of them:
 * `.<target name>.<pid>-<8 hex>.partial`, hidden, in the target's folder (a rename across file systems
 * would not be atomic), with the writer's pid so a later run can tell a leftover of a dead process
 * (removeStaleStaged) from the file of a run still going.
 */
export function stagedPath(target: string): string {
  return path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}-${randomBytes(4).toString('hex')}.partial`,
  );
}

export interface StagedWriteOptions {
  /** fsync the file and its folder, for state the app must find again after a power cut (the library). */
  durable?: boolean;
  /** Create the target's folder first. */
  mkdir?: boolean;
}

/**
 * Runs `write` on a fresh temporary path (file or folder: `write` creates it), renames the result
 * over `target`, and removes the temporary path if anything fails. Returns what `write` returned.
 */
export async function writeStaged<T>(
  target: string,
  write: (temp: string) => Promise<T>,
  options: StagedWriteOptions = {},
): Promise<T> {
  const dir = path.dirname(target);
  if (options.mkdir) await fs.mkdir(dir, { recursive: true });
  const temp = stagedPath(target);
  try {
    const value = await write(temp);
    if (options.durable) await syncPath(temp);
    await fs.rename(temp, target);
    if (options.durable) await syncPath(dir);
    return value;
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
    throw error;
  }
}

/** Writes `contents` to `target` through a temporary file (exclusive create: never someone else's file). */
export async function writeFileStaged(
  target: string,
  contents: string | Uint8Array,
  options: StagedWriteOptions = {},
): Promise<void> {
  await writeStaged(target, (temp) => fs.writeFile(temp, contents, { flag: 'wx' }), options);
}

/** Copies `source` to `target` through a temporary file; `verify` may refuse the copy before the rename. */
export async function copyFileStaged(
  source: string,
  target: string,
  verify?: (temp: string) => Promise<void>,
): Promise<void> {
  await writeStaged(target, async (temp) => {
    await fs.copyFile(source, temp);
    await verify?.(temp);
  });
}

async function syncPath(file: string): Promise<void> {
  // Directories cannot be opened for fsync on Windows; the rename is still atomic there.
  if (process.platform === 'win32' && (await fs.stat(file)).isDirectory()) return;
  const handle = await fs.open(file, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Removes the temporary files a killed run (SIGKILL, a crash, a power cut) left beside `targets`,
 * as big as its output got. One whose process is still running — another run, or a reused pid —
 * is left alone. A suffix after `.partial` (`.2`: a second worker's part) is matched too.
 */
export async function removeStaleStaged(...targets: string[]): Promise<string[]> {
  const removed: string[] = [];
  const byFolder = new Map<string, string[]>();
  for (const target of targets) {
    const folder = path.dirname(target);
    byFolder.set(folder, [...(byFolder.get(folder) ?? []), `.${path.basename(target)}.`]);
  }
  for (const [folder, prefixes] of byFolder) {
    let names: string[];
    try {
      names = await fs.readdir(folder);
    } catch {
      continue; // the caller reports a folder it can't use
    }
    for (const name of names) {
      const prefix = prefixes.find((candidate) => name.startsWith(candidate));
      if (!prefix) continue;
      const match = /^(\d+)-[0-9a-f]{8}\.partial(\.\d+)?$/.exec(name.slice(prefix.length));
      if (!match || isRunning(Number(match[1]))) continue;
      const file = path.join(folder, name);
      await fs.rm(file, { recursive: true, force: true }).catch(() => undefined);
      removed.push(file);
    }
  }
  return removed;
}

function isRunning(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM';
  }
}
