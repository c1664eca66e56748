import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * The URL of a worker thread's entry built beside the running bundle, or undefined when running
 * from the sources.
 *
 * A worker starts from a file of its own, not from code already in the bundle. The Electron build
 * (scripts/build-electron.mjs) bundles each worker to `<name>.cjs` next to main.cjs, because the
 * packaged app has no TypeScript loader: tsx and esbuild are not shipped, and esbuild's native
 * binary could not be spawned from inside the asar archive anyway. Only a CommonJS bundle has
 * `__dirname`; under tsx, vitest and bin/modeldock.mjs this is an ES module without it, and the
 * caller starts its development entry instead.
 */
export function builtWorkerUrl(name: string): URL | undefined {
  if (typeof __dirname !== 'string') return undefined;
  const file = path.join(__dirname, `${name}.cjs`);
  return existsSync(file) ? pathToFileURL(file) : undefined;
}
