#!/usr/bin/env node
// Bundles everything Electron runs into dist/electron, so the packaged app loads no TypeScript at run time
// (tsx and esbuild are not shipped; see electron-builder.yml `files`):
//   main.cjs          the main process, the scikit-learn converter included (sklearn-bridge.ts imports it
//                     by a literal path, which esbuild bundles)
//   preload.cjs       the preload; it runs sandboxed, so it must be one self-contained CommonJS file
//   score-worker.cjs  the batch-scoring worker thread, found beside main.cjs by main/worker-url.ts
// The checksum threads (main/models/checksums.ts) run inline CommonJS source that needs only node:
// built-ins, so they need no file of their own. Packages stay external: electron-builder ships the
// production dependencies, and onnxruntime-node is native (unpacked from the asar archive).
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'electron');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

/**
 * CommonJS has no import.meta.url. Services resolve files next to their source (../package.json, the export
 * bundle template under assets/), so each module's import.meta.url becomes the URL its source file would have
 * beside dist/ — the same layout in the packaged app, where only those data files exist.
 */
const importMetaUrlPlugin = {
  name: 'import-meta-url',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromOut = path.relative(outDir, args.path).split(path.sep).join('/');
      const replacement = `__modeldockSourceUrl(${JSON.stringify(fromOut)})`;
      return {
        contents: source.replaceAll('import.meta.url', replacement),
        loader: path.extname(args.path).slice(1).replace(/^m/, ''),
      };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node22',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron'],
  metafile: true,
};

// Defined before any bundled module, so a module's own `require` binding can't shadow it.
const sourceUrlBanner =
  "const __modeldockSourceUrl = (p) => require('node:url').pathToFileURL(require('node:path').join(__dirname, p)).href;";

const nodeEntry = (source, outfile) => ({
  ...common,
  entryPoints: [path.join(root, source)],
  outfile: path.join(outDir, outfile),
  packages: 'external',
  // main/bundle-cache.mjs requires esbuild only when called; the app never calls it (it runs score-worker.cjs),
  // and ships no esbuild, where that require would fail and the caller fall back.
  plugins: [importMetaUrlPlugin],
  banner: { js: sourceUrlBanner },
});

const results = await Promise.all([
  build(nodeEntry('main/electron/main.ts', 'main.cjs')),
  build(nodeEntry('main/scoring/score-worker.ts', 'score-worker.cjs')),
  build({
    ...common,
    entryPoints: [path.join(root, 'main/electron/preload.ts')],
    outfile: path.join(outDir, 'preload.cjs'),
  }),
]);

/**
 * Every package a bundle still imports must be one electron-builder ships (a production dependency), or
 * electron / a Node built-in. Catches a dev-only import (tsx, esbuild, vite, …) before an installer does.
 * tsx is a dependency for the CLI (bin/modeldock.mjs), but electron-builder.yml leaves it out of the app.
 */
const notPacked = new Set(['tsx', 'esbuild']);
const shipped = new Set([...Object.keys(pkg.dependencies ?? {}), 'electron', ...builtinModules]);
const packageName = (specifier) =>
  specifier
    .replace(/^node:/, '')
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const unshipped = new Set();
for (const { metafile } of results) {
  for (const [file, output] of Object.entries(metafile.outputs)) {
    for (const imported of output.imports) {
      if (!imported.external) continue;
      const name = packageName(imported.path);
      if (!shipped.has(name) || notPacked.has(name)) unshipped.add(`${file} imports ${imported.path}`);
    }
  }
}
if (unshipped.size > 0) {
  console.error(
    `The Electron bundles import packages the app does not ship:\n  ${[...unshipped].join('\n  ')}`,
  );
  process.exit(1);
}

console.log(`Built ${path.relative(root, outDir)}/main.cjs, preload.cjs and score-worker.cjs`);
