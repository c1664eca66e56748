#!/usr/bin/env node
// Runs the TypeScript CLI with no build step: from a cached bundle of its sources (main/bundle-cache.mjs),
// rebuilt when a source changes, or through tsx when no bundle can be built (no esbuild, read-only
// node_modules). MODELDOCK_NO_BUNDLE=1 forces tsx, e.g. to see stack traces in the sources.
import { cachedBundle, loadBundle } from '../main/bundle-cache.mjs';

const bundle =
  process.env.MODELDOCK_NO_BUNDLE === '1'
    ? undefined
    : await cachedBundle({
        name: 'cli',
        entry: 'main/cli/index.ts',
        format: 'cjs',
        bundlePackages: true,
        external: ['onnxruntime-node', 'esbuild', 'tsx', 'pino'],
      });
let cli;
if (bundle) {
  // Not import(): importing CommonJS from ESM first scans the whole file for its exports.
  cli = loadBundle(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../main/cli/index.ts');
}
process.exitCode = await cli.runCli(process.argv.slice(2));
