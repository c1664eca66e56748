// Ctrl-C (and SIGTERM, a closed terminal's SIGHUP, SIGKILL) during `modeldock score`, sent to the real process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { writeLeadCsv } from '../../scripts/generate-leads.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
  '%s mid-run cancels: exit 130, a clear message, and no output or temp file left behind',
  {
    timeout: 120_000,
  },
  async (signal) => {
    const input = path.join(dir, 'leads.csv');
    // Big enough that scoring is still running when the signal arrives (a few seconds on these machines).
    if (!existsSync(input)) await writeLeadCsv(input, 2_000_000, 3);
    const outDir = mkdtempSync(path.join(dir, 'out-'));
    const child = spawn(
      process.execPath,
      [
        'bin/modeldock.mjs',
        'score',
        'assets/models/lead_scoring.onnx',
        input,
        '--out',
        path.join(outDir, 'scored.csv'),
        '--fill',
        'lead_source=NA',
        '--fill',
        'annual_income=0',
      ],
      { cwd: root, env: { ...process.env, MODELDOCK_DATA_DIR: path.join(dir, 'data') } },
    );
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The run has started once its temp output exists.
    while (readdirSync(outDir).length === 0) {
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(child.exitCode, 'the run finished before it could be interrupted').toBeNull();
    child.kill(signal);
    expect(await exited).toBe(130);
    expect(stderr).toContain('cancelled');
    expect(readdirSync(outDir)).toEqual([]);
  },
);

test("a killed run leaves hidden partial files; the next run to that output removes them, not a live run's", {
  timeout: 120_000,
}, async () => {
  const input = path.join(dir, 'leads-killed.csv');
  await writeLeadCsv(input, 2_000_000, 4);
  const outDir = mkdtempSync(path.join(dir, 'killed-'));
  const output = path.join(outDir, 'scored.csv');
  const args = [
    'bin/modeldock.mjs',
    'score',
    'assets/models/lead_scoring.onnx',
    input,
    '--out',
    output,
    '--fill',
    'lead_source=NA',
    '--fill',
    'annual_income=0',
  ];
  const env = { ...process.env, MODELDOCK_DATA_DIR: path.join(dir, 'data') };
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  while (readdirSync(outDir).length === 0 && child.exitCode === null)
    await new Promise((resolve) => setTimeout(resolve, 20));
  child.kill('SIGKILL'); // no chance to clean up
  await exited;
  const leftovers = readdirSync(outDir);
  expect(leftovers.length).toBeGreaterThan(0);
  expect(leftovers.every((name) => name.startsWith('.scored.csv.') && name.includes('.partial'))).toBe(true);
  // A partial of a run still going (this process) must survive.
  const live = `.scored.csv.${process.pid}-0123abcd.partial`;
  writeFileSync(path.join(outDir, live), 'another run');

  const small = path.join(dir, 'small.csv');
  await writeLeadCsv(small, 1000, 5);
  const rerun = spawnSync(process.execPath, [...args.slice(0, 3), small, ...args.slice(4)], {
    cwd: root,
    env,
  });
  expect(rerun.status).toBe(0);
  expect(readdirSync(outDir).sort()).toEqual([live, 'scored.csv'].sort());
});
