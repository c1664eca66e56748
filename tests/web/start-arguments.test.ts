import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const startScript = path.join(root, 'main/web/start.ts');
const sampleModel = path.join(root, 'assets/models/lead_scoring.onnx');

const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGTERM');
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function dataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-web-start-'));
  dirs.push(dir);
  return dir;
}

function electronInstalled(): boolean {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary);
  } catch {
    return false;
  }
}

/** Runs `npm run web`'s script to its end: for arguments it must refuse. */
function runToExit(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['--import', 'tsx', startScript, ...args], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (code) => resolve({ code, stdout, stderr })),
  );
}

interface StartedHost {
  url: string;
  origin: string;
  token: string;
  modelId?: string;
}

/** Starts a script with --json and reads the host's line (skipping start.mjs's one-line notice). */
async function startHost(script: string[], env: Record<string, string> = {}): Promise<StartedHost> {
  const child = spawn(process.execPath, script, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  return new Promise<StartedHost>((resolve, reject) => {
    lines.on('line', (line) => {
      if (line.startsWith('{')) resolve(JSON.parse(line) as StartedHost);
    });
    child.once('exit', (code) => reject(new Error(`the host exited with ${code}: ${stderr}`)));
  });
}

async function listOpenModels(host: StartedHost) {
  const response = await fetch(`${host.origin}/api/call/model.list`, {
    method: 'POST',
    headers: { 'x-modeldock-token': host.token, 'content-type': 'application/json' },
    body: '{}',
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { value: { modelId: string; file: { path: string } }[] }).value;
}

describe('npm run web with arguments it cannot use', () => {
  const usageCases: [string, string[], RegExp][] = [
    ['a port that is not a number', ['--port', 'abc'], /--port must be a whole number .*"abc"/],
    ['a port out of range', ['--port', '70000'], /--port must be a whole number from 1 to 65535/],
    ['an unknown option', ['--prot', '8000'], /unknown option --prot; the options are --port/],
    ['an option without its value', ['--port'], /--port needs a value/],
    ['two model files', ['a.onnx', 'b.onnx'], /at most one model file, not 2 \(a\.onnx, b\.onnx\)/],
  ];
  for (const [name, args, message] of usageCases) {
    it(`refuses ${name} in one sentence, with exit code 2`, async () => {
      const { code, stdout, stderr } = await runToExit([...args, '--data-dir', await dataDir()]);
      expect(code).toBe(2);
      expect(stderr).toMatch(message);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(stdout).toBe('');
    });
  }

  it('says a port in use is in use, with exit code 1', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
    const { port } = blocker.address() as net.AddressInfo;
    try {
      const { code, stderr } = await runToExit(['--port', String(port), '--data-dir', await dataDir()]);
      expect(code).toBe(1);
      // On a fresh checkout the host first builds the renderer and says so; the refusal is the last line.
      expect(stderr.trim().split('\n').at(-1)).toBe(
        `modeldock: port ${port} is in use; pick another with --port or leave it out for a free one.`,
      );
      expect(stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('says why a model file it cannot open is refused, with exit code 3', async () => {
    const dir = await dataDir();
    const missing = path.join(dir, 'missing.onnx');
    const { code, stdout, stderr } = await runToExit([missing, '--json', '--data-dir', dir]);
    expect(code).toBe(3);
    expect(stderr.trim()).toMatch(/^modeldock: could not open the model file: .*missing\.onnx/);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stdout).toBe('');
  });
});

describe('npm run web with a model file', () => {
  it('opens it before printing the URL, which names it for the page', async () => {
    // Relative to where the user typed the command (npm's INIT_CWD), not to the package folder.
    const host = await startHost(
      ['--import', 'tsx', startScript, 'models/lead_scoring.onnx', '--json', '--data-dir', await dataDir()],
      { INIT_CWD: path.join(root, 'assets') },
    );
    const open = await listOpenModels(host);
    expect(open.map((model) => model.file.path)).toEqual([sampleModel]);
    expect(host.modelId).toBe(open[0]!.modelId);
    const url = new URL(host.url);
    expect(url.searchParams.get('model')).toBe(host.modelId);
    expect(url.hash).toBe(`#token=${host.token}`);
  });

  it.skipIf(electronInstalled())('opens it from `npm start -- <model>` in browser mode too', async () => {
    const host = await startHost([
      path.join(root, 'scripts/start.mjs'),
      sampleModel,
      '--json',
      '--data-dir',
      await dataDir(),
    ]);
    expect((await listOpenModels(host)).map((model) => model.file.path)).toEqual([sampleModel]);
  });
});
