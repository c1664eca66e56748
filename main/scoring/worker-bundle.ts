import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The batch worker as one pre-bundled CommonJS script (run with `eval: true`), built from
 * score-worker.ts with esbuild the first time a process needs it. Without it the worker registers
 * tsx, whose module hooks run on one more thread with its own V8 heap and compile each TypeScript
 * file on load: measured with bench/batch.ts, that cost ~50 MB of peak RSS and ~0.4 s of CPU per
 * run. onnxruntime-node stays outside the bundle (a native addon) and is required by absolute path,
 * so the script needs no node_modules beside it and never touches the disk.
 *
 * Returns undefined when esbuild is missing or can't read the sources (inside the Electron app's
 * asar archive the native esbuild can't): the caller then starts score-worker.mjs through tsx.
 */
export function bundledWorkerScript(): Promise<string | undefined> {
  cached ??= buildWorkerScript().catch(() => undefined);
  return cached;
}

let cached: Promise<string | undefined> | undefined;

async function buildWorkerScript(): Promise<string | undefined> {
  const esbuild = await import('esbuild');
  const require = createRequire(import.meta.url);
  const onnxruntime = require.resolve('onnxruntime-node');
  const result = await esbuild.build({
    entryPoints: [fileURLToPath(new URL('./score-worker.ts', import.meta.url))],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    minifySyntax: true,
    write: false,
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
  return result.outputFiles[0]?.text;
}
