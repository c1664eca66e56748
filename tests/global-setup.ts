import { execFileSync } from 'node:child_process';
import path from 'node:path';

/**
 * Builds dist/cli.cjs and the worker bundles (scripts/build.mjs, about a second) before any test file
 * runs: the CLI tests run `node bin/modeldock.mjs` as a user does, and the Electron bundle tests start
 * the built workers. The renderer is not needed here.
 */
export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '..');
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], {
    cwd: root,
    stdio: 'inherit',
  });
}
