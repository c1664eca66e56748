// First: onnxruntime must see ORT_DISABLE_TELEMETRY before a worker starts (see no-telemetry.ts).
import '../no-telemetry.ts';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import entries from './entries.json' with { type: 'json' };

/**
 * The one way to start a worker thread. Each worker is a name in entries.json → its TypeScript entry.
 *
 * Built (the CLI's dist/cli.cjs, the Electron app's dist/electron/main.cjs, browser mode's dist/web.cjs):
 * the worker runs its own bundle, dist/<name>.cjs, which `npm run build` (scripts/build.mjs) emits from
 * the same list, so no TypeScript is compiled at run time and the packaged app needs no tsx. From the
 * sources (`tsx …` in development) it runs its TypeScript entry through tsx-entry.mjs.
 *
 * To add a worker: add its name and entry to entries.json and call `startWorker(name, options)`.
 */
export type WorkerName = keyof typeof entries;

/** Set by scripts/build.mjs (esbuild `define`) in every bundle; absent when running from the sources. */
declare const MODELDOCK_BUNDLE: boolean | undefined;

/** Whether this code runs from a built bundle rather than from its TypeScript sources. */
export function runsBuilt(): boolean {
  return typeof MODELDOCK_BUNDLE !== 'undefined' && MODELDOCK_BUNDLE;
}

/**
 * Where a worker's bundle is. In a bundle, import.meta.url is the URL this source file would have
 * (scripts/build.mjs), so the path is the same from dist/cli.cjs and dist/electron/main.cjs, and
 * inside the packaged app's asar archive.
 */
export function builtWorkerPath(name: WorkerName): string {
  return fileURLToPath(new URL(`../../dist/${name}.cjs`, import.meta.url));
}

/**
 * Built bundles start built workers. From the sources, MODELDOCK_WORKERS=built does the same: the test run
 * sets it (vitest.config.ts) once its globalSetup has built the bundles, so in-process tests run the worker
 * bundles the app ships instead of compiling TypeScript in every worker they start.
 */
function startsBuiltWorkers(): boolean {
  return runsBuilt() || process.env.MODELDOCK_WORKERS === 'built';
}

export function startWorker(name: WorkerName, options: WorkerOptions = {}): Worker {
  const execArgv = withoutModuleLoaders(options.execArgv ?? process.execArgv);
  if (startsBuiltWorkers()) {
    const file = builtWorkerPath(name);
    if (!existsSync(file))
      throw new Error(`ModelDock's ${name} bundle (${file}) is missing: run \`npm run build\`.`);
    return new Worker(file, { ...options, execArgv });
  }
  const entry = new URL(`../../${entries[name]}`, import.meta.url).href;
  return new Worker(new URL('./tsx-entry.mjs', import.meta.url), {
    ...options,
    execArgv,
    argv: [...(options.argv ?? []), entry],
  });
}

/**
 * The parent's Node options minus module loaders (--import, --require, --loader): a built worker needs
 * none and a development worker registers tsx itself, but a worker inherits them. Under tsx that
 * registered tsx's hooks in every worker: measured with bench/batch.ts through the service, ~0.4 s more
 * CPU for 1M rows, and the pre-run check of the 1M file took 0.83 s instead of 0.66 s.
 */
export function withoutModuleLoaders(execArgv: readonly string[]): string[] {
  const loaders = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader']);
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i] ?? '';
    if (loaders.has(arg))
      i++; // and its value
    else if (![...loaders].some((flag) => arg.startsWith(`${flag}=`))) kept.push(arg);
  }
  return kept;
}
