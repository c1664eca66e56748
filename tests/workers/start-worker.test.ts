import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import entries from '../../main/workers/entries.json' with { type: 'json' };
import { builtWorkerPath, withoutModuleLoaders } from '../../main/workers/start-worker.ts';

const root = path.resolve(import.meta.dirname, '../..');

test('a worker inherits Node options but not module loaders such as tsx', () => {
  expect(
    withoutModuleLoaders([
      '--require',
      '/x/tsx/preflight.cjs',
      '--import',
      'file:///x/tsx/loader.mjs',
      '--max-old-space-size=4096',
      '-r',
      'ts-node/register',
      '--loader=ts-node/esm',
      '--experimental-loader',
      'x.mjs',
      '--enable-source-maps',
    ]),
  ).toEqual(['--max-old-space-size=4096', '--enable-source-maps']);
});

test('every worker has a TypeScript entry and a bundle built by scripts/build.mjs (globalSetup)', () => {
  for (const [name, entry] of Object.entries(entries)) {
    expect(existsSync(path.join(root, entry)), entry).toBe(true);
    const built = builtWorkerPath(name as keyof typeof entries);
    expect(built).toBe(path.join(root, 'dist', `${name}.cjs`));
    expect(readFileSync(built, 'utf8')).not.toMatch(/require\("(tsx|esbuild)/);
  }
});
