#!/usr/bin/env node
// Bundles Electron's main process and preload (TypeScript) into dist/electron/main.cjs and preload.cjs.
// The preload runs sandboxed, so it must be one self-contained CommonJS file; main keeps node_modules
// external (onnxruntime-node is native) and is loaded by Electron as package.json "main".
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'electron');

/**
 * CommonJS has no import.meta.url. Services resolve files next to their source (../package.json, …), so each
 * module's import.meta.url becomes the URL its source file would have beside dist/ — the same layout at runtime.
 */
const importMetaUrlPlugin = {
  name: 'import-meta-url',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.(ts|mts|js|mjs)$/ }, async (args) => {
      if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
      const { readFile } = await import('node:fs/promises');
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
};

await build({
  ...common,
  entryPoints: [path.join(root, 'main/electron/main.ts')],
  outfile: path.join(outDir, 'main.cjs'),
  packages: 'external',
  plugins: [importMetaUrlPlugin],
  banner: {
    js: [
      // Defined before any bundled module, so a module's own `require` binding can't shadow it.
      "const __modeldockSourceUrl = (p) => require('node:url').pathToFileURL(require('node:path').join(__dirname, p)).href;",
      // Modules loaded at run time by URL (the scikit-learn converter) are TypeScript sources: let tsx load them.
      // (The ESM entry: tsx's CommonJS build of esm/api fails to find its own files.)
      "import('tsx/esm/api').then((tsx) => tsx.register(), (error) => console.warn('[modeldock] tsx unavailable:', error.message));",
    ].join('\n'),
  },
});

await build({
  ...common,
  entryPoints: [path.join(root, 'main/electron/preload.ts')],
  outfile: path.join(outDir, 'preload.cjs'),
});

console.log(`Built ${path.relative(root, outDir)}/main.cjs and preload.cjs`);
