import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/**
 * A run writes `.<output name>.<pid>-<random>.partial` (and `.2` for a second worker's part) beside
 * its output and renames it when complete. A run that was killed (SIGKILL, a crash, a power cut)
 * leaves those hidden files behind, as big as the output got. Before a new run writes `outputPath`,
 * the leftovers of that output (and of its errors file) whose process is gone are removed; one whose
 * process is still running — another run, or a reused pid — is left alone.
 */
export async function removeStalePartials(outputPath: string, errorsPath: string): Promise<string[]> {
  const folder = path.dirname(outputPath);
  const prefixes = [outputPath, errorsPath].map((file) => `.${path.basename(file)}.`);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return []; // the run itself reports a folder it can't use
  }
  const removed: string[] = [];
  for (const name of names) {
    const prefix = prefixes.find((candidate) => name.startsWith(candidate));
    if (!prefix) continue;
    const match = /^(\d+)-[0-9a-f]{8}\.partial(\.2)?$/.exec(name.slice(prefix.length));
    if (!match || isRunning(Number(match[1]))) continue;
    const file = path.join(folder, name);
    await rm(file, { force: true }).catch(() => undefined);
    removed.push(file);
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
