import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');

function electronInstalled(): boolean {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary);
  } catch {
    return false;
  }
}

describe('npm start without an Electron binary', () => {
  it.skipIf(electronInstalled())('says so in one line and serves browser mode instead', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-start-'));
    const child = spawn(
      process.execPath,
      [path.join(root, 'scripts/start.mjs'), '--json', '--data-dir', dataDir],
      {
        cwd: root,
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    try {
      const lines: string[] = [];
      const reader = createInterface({ input: child.stdout! });
      await new Promise<void>((resolve, reject) => {
        reader.on('line', (line) => {
          lines.push(line);
          if (lines.length === 2) resolve();
        });
        child.once('exit', (code) => reject(new Error(`start.mjs exited with ${code}: ${lines.join('\n')}`)));
      });
      expect(lines[0]).toBe(
        'Electron is not installed here (its binary was not downloaded), so ModelDock starts in browser mode.',
      );
      const { origin, token } = JSON.parse(lines[1]!) as { origin: string; token: string };
      expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${origin}/api/call/app.info`, {
        method: 'POST',
        headers: { 'x-modeldock-token': token, 'content-type': 'application/json' },
        body: '{}',
      });
      expect((await response.json()).value).toMatchObject({ mode: 'browser', dataDir });
    } finally {
      child.kill('SIGTERM');
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
