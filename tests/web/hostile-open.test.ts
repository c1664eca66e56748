// Browser mode while a hostile file is being read (issue 18): the host answers other calls within a
// second, refuses the file cleanly, and still stops at once on SIGTERM (it used to block for 40 s and
// ignore SIGTERM, because the file was parsed on the thread that answers calls).
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const hostile = path.join(root, 'tests/fixtures/pickle/limits/binstring_600mb.joblib');

it('answers other calls while a hostile file is read, refuses it, and stops on SIGTERM', {
  timeout: 90_000,
}, async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-hostile-open-'));
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'main/web/start.ts', '--json', '--data-dir', dataDir],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  try {
    const line = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      child.once('exit', (code) => reject(new Error(`browser mode exited with ${code}`)));
    });
    const { origin, token } = JSON.parse(line) as { origin: string; token: string };
    const call = (name: string, body: unknown) =>
      fetch(`${origin}/api/call/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-modeldock-token': token },
        body: JSON.stringify(body),
      });
    await call('app.info', {}); // the engine is loaded

    const opening = call('model.open', { path: hostile });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const slowest = [];
    for (let i = 0; i < 5; i++) {
      const started = performance.now();
      expect((await call('app.info', {})).status).toBe(200);
      slowest.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(Math.max(...slowest)).toBeLessThan(1000);
    const refused = (await (await opening).json()) as { error: { code: string; message: string } };
    expect(refused.error.code).toBe('refused-pickle');
    expect(refused.error.message).toMatch(/^refused: the file holds a text of 600 MB/);

    // SIGTERM in the middle of another read: the host exits at once.
    void call('model.open', { path: hostile }).catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const signalled = performance.now();
    child.kill('SIGTERM');
    await exited;
    expect(performance.now() - signalled).toBeLessThan(3000);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await rm(dataDir, { recursive: true, force: true });
  }
});
