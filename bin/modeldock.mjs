#!/usr/bin/env node
// The `modeldock` command: runs the CLI built by `npm run build` (dist/cli.cjs, see scripts/build.mjs).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const cliPath = fileURLToPath(new URL('../dist/cli.cjs', import.meta.url));
if (!existsSync(cliPath)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  process.stderr.write(
    `modeldock: the CLI is not built (${cliPath} is missing). Run \`npm run build\` in ${root}\n`,
  );
  process.exit(1);
}
// require(), not import(): importing CommonJS from ESM first scans the whole file for its exports (~50 ms).
const cli = createRequire(import.meta.url)(cliPath);
process.exitCode = await cli.runCli(process.argv.slice(2));
