import { cachedBundle } from '../bundle-cache.mjs';

/**
 * The batch worker as one pre-bundled CommonJS file (main/bundle-cache.mjs), npm packages included
 * but onnxruntime-node (a native addon). Without it the worker registers tsx, whose module hooks run
 * on one more thread with its own V8 heap and compile each TypeScript file on load: measured with
 * bench/batch.ts, that cost ~20 MB of peak RSS and ~1 s of CPU per run.
 *
 * Resolves to undefined when no bundle can be built (no esbuild, read-only node_modules): the caller
 * then starts score-worker.mjs through tsx.
 */
export function bundledWorkerPath(): Promise<string | undefined> {
  return cachedBundle({
    name: 'score-worker',
    entry: 'main/scoring/score-worker.ts',
    format: 'cjs',
    bundlePackages: true,
    external: ['onnxruntime-node'],
  });
}
