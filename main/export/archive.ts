import { createWriteStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar';
import { ZipFile } from 'yazl';

/** Every file under `root`, as sorted forward-slash paths relative to it. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

/** Writes `sourceDir` as a .zip whose entries sit under `topFolder/`, keeping executable bits. */
export async function writeZip(
  sourceDir: string,
  topFolder: string,
  zipPath: string,
  signal?: AbortSignal,
): Promise<void> {
  const zip = new ZipFile();
  for (const relative of await listFiles(sourceDir)) {
    zip.addFile(path.join(sourceDir, relative), `${topFolder}/${relative}`, {
      mode: relative.endsWith('.sh') ? 0o100755 : 0o100644,
    });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(zipPath), { signal });
}

/** Writes `sourceDir` as a .tar.gz with one top folder named `topFolder`. */
export async function writeTarGz(sourceDir: string, topFolder: string, tarPath: string): Promise<void> {
  // The staging folder has a temporary name; `prefix` stores the entries under the bundle's name.
  await tar.create(
    { gzip: true, file: tarPath, cwd: sourceDir, portable: true, prefix: topFolder },
    await listFiles(sourceDir),
  );
}
