// Ctrl-C during `modeldock score`, sent to the real process as a terminal would.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { writeLeadCsv } from '../../scripts/generate-leads.ts';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-interrupt-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('SIGINT mid-run cancels: exit 130, a clear message, and no output or temp file left behind', {
  timeout: 120_000,
}, async () => {
  const input = path.join(dir, 'leads.csv');
  // Big enough that scoring is still running when the signal arrives (a few seconds on these machines).
  await writeLeadCsv(input, 2_000_000, 3);
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
  child.kill('SIGINT');
  expect(await exited).toBe(130);
  expect(stderr).toContain('cancelled');
  expect(readdirSync(outDir)).toEqual([]);
});
