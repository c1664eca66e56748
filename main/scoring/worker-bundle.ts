import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The batch worker as one pre-bundled CommonJS script (run with `eval: true`), built from
 * score-worker.ts with esbuild. Without it the worker registers tsx, whose module hooks run on one
 * more thread with its own V8 heap and compile each TypeScript file on load: measured with
 * bench/batch.ts, that cost ~20 MB of peak RSS and ~1 s of CPU per run. onnxruntime-node stays
 * outside the bundle (a native addon) and is required by absolute path.
 *
 * Building takes ~0.4 s, so the script is cached in a private folder of the temp directory with the
 * size and modification time of every source file it was built from, and rebuilt when one changes.
 *
 * Returns undefined when esbuild is missing or can't read the sources (inside the Electron app's
 * asar archive the native esbuild can't): the caller then starts score-worker.mjs through tsx.
 */
export function bundledWorkerScript(): Promise<string | undefined> {
  cached ??= loadWorkerScript().catch(() => undefined);
  return cached;
}

let cached: Promise<string | undefined> | undefined;

interface CacheEntry {
  /** [absolute path, size, mtimeMs] of each source file in the bundle. */
  inputs: Array<[string, number, number]>;
  script: string;
}

const entryPoint = fileURLToPath(new URL('./score-worker.ts', import.meta.url));

async function loadWorkerScript(): Promise<string | undefined> {
  const cacheFile = await cachePath().catch(() => undefined);
  if (cacheFile) {
    const entry = await readCache(cacheFile);
    if (entry) return entry.script;
  }
  const built = await buildWorkerScript();
  if (cacheFile && built) await writeCache(cacheFile, built).catch(() => undefined);
  return built?.script;
}

async function buildWorkerScript(): Promise<CacheEntry | undefined> {
  const esbuild = await import('esbuild');
  const require = createRequire(import.meta.url);
  const onnxruntime = require.resolve('onnxruntime-node');
  const result = await esbuild.build({
    entryPoints: [entryPoint],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifySyntax: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [
      {
        name: 'onnxruntime-by-absolute-path',
        setup(build) {
          build.onResolve({ filter: /^onnxruntime-node$/ }, () => ({ path: onnxruntime, external: true }));
        },
      },
    ],
  });
  const script = result.outputFiles[0]?.text;
  if (script === undefined) return undefined;
  const cwd = process.cwd();
  const inputs = await Promise.all(
    Object.keys(result.metafile.inputs).map(async (input): Promise<[string, number, number]> => {
      const file = path.resolve(cwd, input);
      const info = await stat(file);
      return [file, info.size, info.mtimeMs];
    }),
  );
  return { inputs, script };
}

/**
 * A folder only this user can write to: a script planted there by someone else would run as this
 * user, so a folder that is a link, someone else's or open to others is not used.
 */
async function cachePath(): Promise<string | undefined> {
  const uid = process.getuid?.() ?? 0;
  const folder = path.join(os.tmpdir(), `modeldock-cache-${uid}`);
  await mkdir(folder, { recursive: true, mode: 0o700 });
  const info = await lstat(folder);
  if (!info.isDirectory() || info.isSymbolicLink()) return undefined;
  if (process.getuid && (info.uid !== uid || (info.mode & 0o077) !== 0)) return undefined;
  const key = createHash('sha256').update(entryPoint).digest('hex').slice(0, 16);
  return path.join(folder, `score-worker-${key}.json`);
}

async function readCache(file: string): Promise<CacheEntry | undefined> {
  try {
    const entry = JSON.parse(await readFile(file, 'utf8')) as CacheEntry;
    for (const [input, size, mtimeMs] of entry.inputs) {
      const info = await stat(input);
      if (info.size !== size || info.mtimeMs !== mtimeMs) return undefined;
    }
    return typeof entry.script === 'string' ? entry : undefined;
  } catch {
    return undefined;
  }
}

async function writeCache(file: string, entry: CacheEntry): Promise<void> {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(temp, JSON.stringify(entry), { mode: 0o600 });
  await rename(temp, file);
}
