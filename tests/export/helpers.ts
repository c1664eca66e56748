import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { runCli } from '../../main/cli/index.ts';

const execFileAsync = promisify(execFile);
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const bundleTemplate = path.join(repoRoot, 'assets', 'bundle');
export const sampleModel = path.join(repoRoot, 'assets', 'models', 'lead_scoring.onnx');
export const zipMapModel = path.join(repoRoot, 'tests', 'fixtures', 'onnx', 'zipmap_multiclass_str.onnx');
export const guidePayload = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };

export async function tempDir(prefix: string): Promise<string> {
  const base = path.join(os.tmpdir(), 'modeldock-export-tests');
  await mkdir(base, { recursive: true });
  return mkdtemp(path.join(base, `${prefix}-`));
}

/**
 * The bundle's production dependencies, installed with `npm ci` from the bundle's own lockfile ONCE
 * (kept under the temp dir, keyed by the lockfile's hash) and shared by every bundle the tests start.
 */
export async function bundleDependencies(): Promise<string> {
  const lock = await readFile(path.join(bundleTemplate, 'package-lock.json'));
  const key = createHash('sha256').update(lock).digest('hex').slice(0, 16);
  const cacheDir = path.join(os.tmpdir(), 'modeldock-export-tests', `deps-${key}`);
  const modules = path.join(cacheDir, 'node_modules');
  if (existsSync(path.join(cacheDir, '.complete'))) return modules;
  const work = `${cacheDir}.partial-${randomBytes(4).toString('hex')}`;
  await mkdir(work, { recursive: true });
  await copyFile(path.join(bundleTemplate, 'package.json'), path.join(work, 'package.json'));
  await copyFile(path.join(bundleTemplate, 'package-lock.json'), path.join(work, 'package-lock.json'));
  await execFileAsync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: work,
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', npm_config_update_notifier: 'false' },
    timeout: 180_000,
  });
  await writeFile(path.join(work, '.complete'), new Date().toISOString());
  try {
    await rename(work, cacheDir);
  } catch {
    // Another test file finished the same install first; use that one.
    await rm(work, { recursive: true, force: true });
  }
  return modules;
}

/** Makes an exported bundle runnable without another install. */
export async function linkDependencies(bundleDir: string): Promise<void> {
  await symlink(await bundleDependencies(), path.join(bundleDir, 'node_modules'), 'dir');
}

/** Runs the ModelDock CLI in this process and returns its exit code and output. */
export async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    ({
      write: (chunk: string | Uint8Array) => {
        append(String(chunk));
        return true;
      },
    }) as unknown as NodeJS.WritableStream;
  const code = await runCli(argv, {
    stdout: sink((text) => {
      stdout += text;
    }),
    stderr: sink((text) => {
      stderr += text;
    }),
  });
  return { code, stdout, stderr };
}

/** `modeldock predict <model> --input <payload> --json`, parsed. */
export async function modeldockPredict(model: string, payload: unknown): Promise<Record<string, unknown>> {
  const result = await cli(['predict', model, '--input', JSON.stringify(payload), '--json']);
  if (result.code !== 0) throw new Error(`modeldock predict failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as Record<string, unknown>;
}

export interface RunningService {
  url: string;
  child: ChildProcess;
  logs: () => string;
  exited: Promise<number | null>;
  stop: () => Promise<number | null>;
}

/** Starts `node server/main.js` of a bundle on a free loopback port and waits for its "started" log line. */
export async function startService(
  bundleDir: string,
  env: Record<string, string> = {},
): Promise<RunningService> {
  const child = spawn(process.execPath, ['server/main.js'], {
    cwd: bundleDir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the service did not start in 20 s:\n${output}`)),
      20_000,
    );
    const check = () => {
      const match = /"event":"started"[^\n]*"port":(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before starting:\n${output}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    child,
    logs: () => output,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * `modeldock export <model> --reference <csv>` into `<work>/bundle`, its dependencies linked, and its
 * service started with DRIFT_WINDOW = `windowSize`: the setup of the live-drift tests.
 */
export async function exportWithReferenceAndServe(
  model: string,
  options: { work: string; name: string; referenceCsv: string; windowSize: number },
): Promise<{
  exported: { path: string; drift: { emptyCellsLeftOut?: Record<string, number> } };
  service: RunningService;
}> {
  const result = await cli([
    'export',
    model,
    '--out',
    path.join(options.work, 'bundle'),
    '--name',
    options.name,
    '--reference',
    options.referenceCsv,
    '--json',
  ]);
  if (result.code !== 0) throw new Error(`modeldock export failed (${result.code}): ${result.stderr}`);
  const exported = JSON.parse(result.stdout);
  await linkDependencies(exported.path);
  const service = await startService(exported.path, { DRIFT_WINDOW: String(options.windowSize) });
  return { exported, service };
}

/** Runs a bundle's server that is expected to refuse to start; returns its exit code and logs. */
export async function runUntilExit(bundleDir: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ['server/main.js'], {
    cwd: bundleDir,
    env: { PATH: process.env.PATH ?? '', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  const code = await new Promise<number | null>((resolve) =>
    child.once('exit', (exitCode) => resolve(exitCode)),
  );
  clearTimeout(timer);
  return { code, output };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json: json as Record<string, unknown> | undefined, text };
}
