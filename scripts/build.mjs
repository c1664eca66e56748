#!/usr/bin/env node
// `npm run build` (after `vite build`; also run by npm's `prepare` on install): bundles everything Node
// runs, so nothing compiles TypeScript at run time and neither tsx nor esbuild is a runtime dependency.
//   dist/cli.cjs             the `modeldock` command (bin/modeldock.mjs loads it)
//   dist/<worker>.cjs        each worker thread of main/workers/entries.json (score-worker.cjs, …), started by
//                            main/workers/start-worker.ts from the CLI and from the Electron app alike
//   dist/electron/main.cjs   the Electron main process, the scikit-learn converter included
//   dist/electron/preload.cjs  the preload; it runs sandboxed, so it is one self-contained CommonJS file
// The checksum threads (main/models/checksums.ts) run inline CommonJS source that needs only node:
// built-ins, so they need no file of their own. `node scripts/build.mjs` alone (vitest's globalSetup does
// this) builds these without the renderer, in about a second.
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));
const workers = JSON.parse(await readFile(path.join(root, 'main/workers/entries.json'), 'utf8'));

/**
 * CommonJS has no import.meta.url. Services resolve files next to their source (../package.json, the export
 * bundle template under assets/, a worker's bundle), so each module's import.meta.url becomes the URL its source
 * file would have relative to the bundle — the same layout in the packaged app, where only those data files exist.
 */
const importMetaUrlPlugin = (outDir) => ({
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
});

// Defined before any bundled module, so a module's own `require` binding can't shadow it.
const sourceUrlBanner =
  "const __modeldockSourceUrl = (p) => require('node:url').pathToFileURL(require('node:path').join(__dirname, p)).href;";

/** What every bundle here is: one CommonJS file for Node 20 with its source map and metafile. */
const nodeCjs = (source, outfile) => ({
  entryPoints: [path.join(root, source)],
  outfile: path.join(dist, outfile),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  metafile: true,
});

/**
 * A Node bundle. `packages: 'external'` for the Electron main process (electron-builder ships the production
 * dependencies); the CLI and the workers carry their packages (one file to load: the CLI starts in ~0.1 s) but
 * onnxruntime-node (a native addon), pino (its transports start worker threads from their own files) and
 * seek-bzip (it calls the deprecated `new Buffer()`; Node's DEP0005 warning stays quiet only for code that
 * runs from node_modules, and bundled it printed the warning under the CLI's refusal).
 */
const nodeBundle = (source, outfile, { bundlePackages }) => {
  const outDir = path.dirname(path.join(dist, outfile));
  return {
    ...nodeCjs(source, outfile),
    // Less to parse at every start (`modeldock --help`: ~20 ms of 2.3 MB); names are kept, so stacks read.
    minifyWhitespace: true,
    minifySyntax: true,
    ...(bundlePackages
      ? { external: ['electron', 'onnxruntime-node', 'pino', 'pino-roll', 'seek-bzip'] }
      : { packages: 'external', external: ['electron'] }),
    // main/workers/start-worker.ts: bundles start workers from their bundles, not through tsx.
    define: { MODELDOCK_BUNDLE: 'true' },
    plugins: [importMetaUrlPlugin(outDir)],
    banner: { js: sourceUrlBanner },
  };
};

const results = await Promise.all([
  build(nodeBundle('main/cli/index.ts', 'cli.cjs', { bundlePackages: true })),
  ...Object.entries(workers).map(([name, entry]) =>
    build(nodeBundle(entry, `${name}.cjs`, { bundlePackages: true })),
  ),
  build(nodeBundle('main/electron/main.ts', 'electron/main.cjs', { bundlePackages: false })),
  build({ ...nodeCjs('main/electron/preload.ts', 'electron/preload.cjs'), external: ['electron'] }),
]);

/**
 * Every package a bundle still imports must be a production dependency (electron-builder ships those, and
 * `npm install -g` installs them), or electron / a Node built-in. Catches a dev-only import (tsx, esbuild,
 * vite, …) before an installer or a user does.
 */
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
      if (!shipped.has(name)) unshipped.add(`${file} imports ${imported.path}`);
    }
  }
}
if (unshipped.size > 0) {
  console.error(`The bundles import packages ModelDock does not ship:\n  ${[...unshipped].join('\n  ')}`);
  process.exit(1);
}

if (!process.argv.includes('--quiet'))
  console.log(
    `Built dist/cli.cjs, ${Object.keys(workers)
      .map((name) => `dist/${name}.cjs`)
      .join(', ')}, dist/electron/main.cjs and preload.cjs`,
  );
