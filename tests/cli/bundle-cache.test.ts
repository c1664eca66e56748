// main/bundle-cache.mjs: the CLI and the batch worker start from bundles it caches, so a stale bundle
// would run old code. Each call runs in a fresh process, as each CLI start does.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, expect, test } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-bundle-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A tiny TypeScript package: entry.ts re-exports a value from dep.ts and reads data.txt beside itself. */
function makePackage(name: string, value: number): string {
  const root = path.join(dir, name);
  mkdirSync(path.join(root, 'src'), { recursive: true });
  // Computed at load (esbuild can't fold JSON.parse), so the value is in the top-level code V8's cache holds.
  writeFileSync(path.join(root, 'src/dep.ts'), `export const value: number = JSON.parse('${value}');\n`);
  writeFileSync(path.join(root, 'src/data.txt'), 'beside the source');
  writeFileSync(
    path.join(root, 'src/entry.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { value } from './dep.ts';",
      'export const answer = (): number => value;',
      "export const besideMe = (): string => readFileSync(new URL('./data.txt', import.meta.url), 'utf8');",
    ].join('\n'),
  );
  backdate(root);
  return root;
}

/** Sources saved a minute ago: a bundle built now is trusted on the next start. */
function backdate(root: string): void {
  const past = new Date(Date.now() - 60_000);
  for (const name of readdirSync(path.join(root, 'src')))
    utimesSync(path.join(root, 'src', name), past, past);
}

function cachedBundle(root: string): string | undefined {
  const script = `const { cachedBundle } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'main/bundle-cache.mjs')).href)});
const file = await cachedBundle({ name: 'test', entry: 'src/entry.ts', format: 'cjs', root: ${JSON.stringify(root)} });
process.stdout.write(JSON.stringify(file ?? null));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
  return JSON.parse(out) ?? undefined;
}

/** Loads the bundle as bin/modeldock.mjs does (with V8's code cache) in a fresh process. */
function run(bundle: string): { answer: number; besideMe: string } {
  const script = `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'main/bundle-cache.mjs')).href)});
const m = loadBundle(${JSON.stringify(bundle)});
process.stdout.write(JSON.stringify({ answer: m.answer(), besideMe: m.besideMe() }));`;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
}

test('builds a bundle once, reuses it, and rebuilds it when a source file changes', {
  timeout: 60_000,
}, () => {
  const root = makePackage('fresh', 1);
  const bundle = cachedBundle(root);
  expect(bundle).toBeDefined();
  expect(bundle!.startsWith(path.join(root, 'node_modules/.cache/modeldock/'))).toBe(true);
  // import.meta.url still names the source file, so files beside the sources are found.
  expect(run(bundle!)).toEqual({ answer: 1, besideMe: 'beside the source' });

  const built = statSync(bundle!).mtimeMs;
  expect(cachedBundle(root)).toBe(bundle);
  expect(statSync(bundle!).mtimeMs).toBe(built);

  writeFileSync(path.join(root, 'src/dep.ts'), "export const value: number = JSON.parse('2');\n");
  expect(cachedBundle(root)).toBe(bundle);
  expect(run(bundle!).answer).toBe(2);
});

test('a bundle built from a file saved moments before is built again on the next start', {
  timeout: 60_000,
}, () => {
  const root = makePackage('just-saved', 1);
  writeFileSync(path.join(root, 'src/dep.ts'), "export const value: number = JSON.parse('2');\n");
  const bundle = cachedBundle(root)!;
  const built = statSync(bundle).mtimeMs;
  // The save may have raced the build, so nothing vouches for this bundle yet…
  expect(cachedBundle(root)).toBe(bundle);
  expect(statSync(bundle).mtimeMs).not.toBe(built);
  expect(run(bundle).answer).toBe(2);
  // …until the sources are older than the build.
  backdate(root);
  cachedBundle(root);
  const settled = statSync(bundle).mtimeMs;
  expect(cachedBundle(root)).toBe(bundle);
  expect(statSync(bundle).mtimeMs).toBe(settled);
});

test('a change that keeps the size is seen through the modification time', { timeout: 60_000 }, () => {
  const root = makePackage('same-size', 3);
  const bundle = cachedBundle(root)!;
  writeFileSync(path.join(root, 'src/dep.ts'), "export const value: number = JSON.parse('4');\n");
  const later = new Date(Date.now() + 5_000);
  utimesSync(path.join(root, 'src/dep.ts'), later, later);
  cachedBundle(root);
  expect(run(bundle).answer).toBe(4);
});

test('the code cache is reused, and never for a rebuilt bundle of the same length', {
  timeout: 60_000,
}, () => {
  const root = makePackage('code-cache', 7);
  const bundle = cachedBundle(root)!;
  expect(run(bundle).answer).toBe(7);
  const cache = `${bundle}.v8cache`;
  const made = statSync(cache).mtimeMs;
  expect(run(bundle).answer).toBe(7);
  expect(statSync(cache).mtimeMs).toBe(made); // accepted, not made again
  // Same length, other code: V8 alone would take the old cache (it compares lengths only).
  writeFileSync(path.join(root, 'src/dep.ts'), "export const value: number = JSON.parse('8');\n");
  const size = statSync(bundle).size;
  cachedBundle(root);
  expect(statSync(bundle).size).toBe(size);
  expect(run(bundle).answer).toBe(8);
});

test('a damaged bundle is rebuilt rather than run', { timeout: 60_000 }, () => {
  const root = makePackage('damaged', 5);
  const bundle = cachedBundle(root)!;
  truncateSync(bundle, 10);
  expect(cachedBundle(root)).toBe(bundle);
  expect(run(bundle).answer).toBe(5);
});

test('when the cache folder cannot be made, there is no bundle (callers fall back to tsx)', {
  timeout: 60_000,
}, () => {
  const root = makePackage('unwritable', 6);
  mkdirSync(path.join(root, 'node_modules'), { recursive: true });
  writeFileSync(path.join(root, 'node_modules/.cache'), 'a file where the folder would go');
  expect(cachedBundle(root)).toBeUndefined();
});

test('a bundle loaded with the code cache can build another bundle without printing warnings', {
  timeout: 60_000,
}, () => {
  // As the CLI does when it builds the batch worker's bundle on the first run after a change.
  const root = makePackage('nested', 9);
  const cacheModule = JSON.stringify(path.join(repo, 'main/bundle-cache.mjs'));
  writeFileSync(
    path.join(root, 'src/nested.ts'),
    `import { cachedBundle } from ${cacheModule};\nexport const build = (root: string) => cachedBundle({ name: 'inner', entry: 'src/dep.ts', format: 'cjs', root });\n`,
  );
  const outer = execFileSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { cachedBundle } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'main/bundle-cache.mjs')).href)});
process.stdout.write(await cachedBundle({ name: 'outer', entry: 'src/nested.ts', format: 'cjs', bundlePackages: true, external: ['esbuild'], root: ${JSON.stringify(root)} }));`,
    ],
    { cwd: repo, encoding: 'utf8' },
  );
  const script = `const { loadBundle } = await import(${JSON.stringify(pathToFileURL(path.join(repo, 'main/bundle-cache.mjs')).href)});
const inner = await loadBundle(${JSON.stringify(outer)}).build(${JSON.stringify(root)});
process.stdout.write(String(inner));`;
  const result = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: repo,
    encoding: 'utf8',
  });
  expect(result.status).toBe(0);
  expect(result.stdout).toContain('inner-');
  expect(result.stderr).toBe('');
});

test('the CLI gives the same answers from its bundle and through tsx', { timeout: 120_000 }, () => {
  const help = (env: Record<string, string>) =>
    execFileSync(process.execPath, ['bin/modeldock.mjs', 'score', '--help'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, ...env },
    });
  const bundled = help({});
  expect(bundled).toContain('Usage: modeldock score');
  expect(help({ MODELDOCK_NO_BUNDLE: '1' })).toBe(bundled);
  // …and the first run did go through a bundle.
  const cache = path.join(repo, 'node_modules/.cache/modeldock');
  expect(readdirSync(cache).some((file) => /^cli-\w+\.cjs$/.test(file))).toBe(true);
});
