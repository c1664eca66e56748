// Plain JavaScript (typed by bundle-cache.d.mts): bin/modeldock.mjs runs it before any TypeScript loader.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

/**
 * Single-file bundles of our TypeScript entry points, built with esbuild on first use and kept in
 * node_modules/.cache/modeldock with the size and modification time of every file they were built
 * from; a bundle is rebuilt when one of them changes. Starting from a bundle skips what tsx does on
 * every start (a loader thread, then compiling each of ~200 files): measured with bench/batch.ts,
 * the CLI starts ~0.25 s sooner and uses ~25 MB less memory. A worker thread started from its own
 * bundle also loads in one piece instead of registering tsx again.
 *
 * The cache sits inside node_modules: whoever can write there can already change the code that runs.
 * Returns undefined when esbuild is missing (the packaged app ships none) or the folder can't be
 * written; callers then load the sources through tsx as before.
 */

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Bumped when the way bundles are built changes, so older cached bundles are rebuilt. */
const cacheFormat = 1;

/** @type {Map<string, Promise<string | undefined>>} */
const pending = new Map();

/**
 * @param {import('./bundle-cache.d.mts').BundleSpec} spec
 * @returns {Promise<string | undefined>} the absolute path of an up-to-date bundle
 */
export function cachedBundle(spec) {
  const key = JSON.stringify({ cacheFormat, ...spec });
  let result = pending.get(key);
  if (!result) {
    result = loadOrBuild(spec, key).catch(() => undefined);
    pending.set(key, result);
  }
  return result;
}

/**
 * Runs a CommonJS bundle and returns its exports, like require() but with V8's code cache kept beside
 * it (`<bundle>.v8cache`): compiling the 2 MB CLI bundle was a quarter of a CLI start (~70 ms → ~43 ms
 * measured). V8 rejects a cache made for other flags, but it only compares the source's length, so
 * the cache starts with the size and modification time of the bundle it was made from and is ignored
 * for any other. Node versions without vm's main-context loader (which a dynamic import in the bundle
 * would need) use require().
 * @param {string} file
 */
export function loadBundle(file) {
  const dynamicImports = vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER;
  const require = createRequire(file);
  if (!dynamicImports) return require(file);
  const source = readFileSync(file, 'utf8');
  const [size, mtimeMs] = statOf(file);
  const cacheFile = `${file}.v8cache`;
  const cachedData = readCodeCache(cacheFile, size, mtimeMs);
  const script = new vm.Script(Module.wrap(source), {
    filename: file,
    cachedData,
    importModuleDynamically: dynamicImports,
  });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, require, module, file, path.dirname(file));
  if (!cachedData || script.cachedDataRejected) {
    const header = Buffer.alloc(16);
    header.writeDoubleLE(size, 0);
    header.writeDoubleLE(mtimeMs, 8);
    try {
      writeAtomically(cacheFile, Buffer.concat([header, script.createCachedData()]));
    } catch {
      // Only slower next time.
    }
  }
  return module.exports;
}

/**
 * @param {string} cacheFile
 * @param {number} size
 * @param {number} mtimeMs
 */
function readCodeCache(cacheFile, size, mtimeMs) {
  try {
    const data = readFileSync(cacheFile);
    if (data.length <= 16 || data.readDoubleLE(0) !== size || data.readDoubleLE(8) !== mtimeMs)
      return undefined;
    return data.subarray(16);
  } catch {
    return undefined;
  }
}

/**
 * @param {import('./bundle-cache.d.mts').BundleSpec} spec
 * @param {string} key
 */
async function loadOrBuild(spec, key) {
  const root = spec.root ?? packageRoot;
  const cacheDir = path.join(root, 'node_modules', '.cache', 'modeldock');
  const extension = spec.format === 'esm' ? 'mjs' : 'cjs';
  const id = createHash('sha256').update(key).digest('hex').slice(0, 12);
  const bundleFile = path.join(cacheDir, `${spec.name}-${id}.${extension}`);
  const manifestFile = `${bundleFile}.inputs.json`;
  if (isFresh(manifestFile, bundleFile, key)) return bundleFile;
  // require, not import(): in the CLI bundle this code runs in a vm script, where import() is an
  // experimental feature that prints a warning.
  const esbuild = createRequire(import.meta.url)('esbuild');
  const startedAt = Date.now();
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [path.join(root, spec.entry)],
    bundle: true,
    platform: 'node',
    format: spec.format,
    target: 'node20',
    minifySyntax: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    outfile: bundleFile,
    sourcemap: 'linked',
    ...(spec.bundlePackages ? { external: spec.external ?? [] } : { packages: 'external' }),
    plugins: [sourceUrlPlugin],
  });
  const inputs = Object.keys(result.metafile.inputs).map((input) => {
    const file = path.resolve(root, input);
    const info = statSync(file);
    return [file, info.size, info.mtimeMs];
  });
  mkdirSync(cacheDir, { recursive: true });
  // Each file is written beside its place and renamed into it, so a process starting meanwhile sees
  // the old bundle or the new one; the manifest goes last, so it never vouches for a missing bundle.
  for (const output of result.outputFiles) writeAtomically(output.path, output.contents);
  // A source saved while esbuild ran may be newer than what it read, yet match the manifest: then no
  // manifest, and the next start builds again (2 s of slack for file systems with coarse times).
  if (inputs.every(([, , mtimeMs]) => Number(mtimeMs) < startedAt - 2000)) {
    writeAtomically(manifestFile, JSON.stringify({ key, bundle: statOf(bundleFile), inputs }));
  } else {
    rmSync(manifestFile, { force: true });
  }
  return bundleFile;
}

/**
 * @param {string} manifestFile
 * @param {string} bundleFile
 * @param {string} key
 */
function isFresh(manifestFile, bundleFile, key) {
  try {
    const manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    if (manifest.key !== key || !sameStat(manifest.bundle, statOf(bundleFile))) return false;
    for (const [file, size, mtimeMs] of manifest.inputs) {
      const info = statSync(file);
      if (info.size !== size || info.mtimeMs !== mtimeMs) return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** @param {string} file */
function statOf(file) {
  const info = statSync(file);
  return [info.size, info.mtimeMs];
}

/**
 * @param {unknown} a
 * @param {number[]} b
 */
function sameStat(a, b) {
  return Array.isArray(a) && a[0] === b[0] && a[1] === b[1];
}

/**
 * @param {string} file
 * @param {string | Uint8Array} contents
 */
function writeAtomically(file, contents) {
  const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, contents);
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

/**
 * The bundle lives elsewhere than its sources, which find files next to themselves (assets/bundle,
 * package.json, score-worker.mjs): each source's import.meta.url becomes the URL of its own file.
 * @type {import('esbuild').Plugin}
 */
const sourceUrlPlugin = {
  name: 'source-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.(ts|mts|mjs|js)$/ }, (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      return {
        contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: args.path.endsWith('ts') ? 'ts' : 'js',
      };
    });
  },
};
