import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { _electron, test as base, type ElectronApplication, expect, type Page } from '@playwright/test';

export { expect };

export const repoRoot = path.resolve(import.meta.dirname, '..');
export const sampleModel = path.join(repoRoot, 'assets/models/lead_scoring.onnx');
export const fixturesDir = path.join(repoRoot, 'tests/fixtures/onnx');
export const guidePayload = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };
export const screenshotDir = path.join(repoRoot, 'test-results/screenshots');

const runFile = promisify(execFile);

/** The CLI's JSON answer, the reference the UI must agree with. */
export async function cli<T>(...args: string[]): Promise<T> {
  const { stdout } = await runFile(
    process.execPath,
    [path.join(repoRoot, 'bin/modeldock.mjs'), ...args, '--json'],
    {
      cwd: repoRoot,
    },
  );
  return JSON.parse(stdout) as T;
}

export interface WebHostInfo {
  url: string;
  origin: string;
  token: string;
  port: number;
  dataDir: string;
}

function electronBinary(): string | null {
  try {
    const binary = createRequire(import.meta.url)('electron') as unknown;
    return typeof binary === 'string' && existsSync(binary) ? binary : null;
  } catch {
    return null;
  }
}

let printedElectronSkip = false;
let electronBuilt = false;

/** A browser-mode host process of a test's own, beside the worker's shared one. */
export interface OwnWebHost extends WebHostInfo {
  child: ChildProcess;
}

/** Starts `main/web/start.ts` as its own process (as `npm run web` does) and reads its URL and token. */
export async function startWebHost(dataDir: string, extraArgs: string[] = []): Promise<OwnWebHost> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(repoRoot, 'main/web/start.ts'),
      '--json',
      '--data-dir',
      dataDir,
      ...extraArgs,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the browser-mode host exited with ${code}`)));
  });
  return { ...(JSON.parse(first) as Omit<WebHostInfo, 'dataDir'>), dataDir, child };
}

export async function stopWebHost(host: OwnWebHost): Promise<void> {
  if (host.child.exitCode !== null) return;
  const exited = once(host.child, 'exit');
  host.child.kill('SIGTERM');
  await exited;
}

type WorkerFixtures = { appMode: 'browser' | 'electron'; webHost: WebHostInfo; workDir: string };
type TestFixtures = { app: Page; electronApp: ElectronApplication | null };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  appMode: ['browser', { option: true, scope: 'worker' }],
  workDir: [
    // biome-ignore lint/correctness/noEmptyPattern: Playwright's fixture signature
    async ({}, use) => {
      const dir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-e2e-'));
      await use(dir);
      await rm(dir, { recursive: true, force: true });
    },
    { scope: 'worker' },
  ],
  webHost: [
    async ({ workDir }, use) => {
      const dataDir = path.join(workDir, 'data');
      await mkdir(dataDir, { recursive: true });
      const host = await startWebHost(dataDir);
      await use(host);
      await stopWebHost(host);
    },
    { scope: 'worker' },
  ],
  electronApp: async ({ appMode, workDir }, use) => {
    if (appMode !== 'electron') {
      await use(null);
      return;
    }
    const binary = electronBinary();
    if (!binary) {
      const reason =
        'Electron project skipped: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD).';
      if (!printedElectronSkip) console.log(reason);
      printedElectronSkip = true;
      test.skip(true, reason);
      return;
    }
    if (!electronBuilt) {
      // `npm run test:e2e` builds the renderer; the main process and preload are built here.
      await runFile(process.execPath, [path.join(repoRoot, 'scripts/build.mjs')], { cwd: repoRoot });
      electronBuilt = true;
    }
    const electronApp = await _electron.launch({
      executablePath: binary,
      args: [repoRoot, '--no-sandbox'],
      // A fresh profile per launch: parallel workers don't meet the single-instance lock or share recent models.
      env: { ...process.env, MODELDOCK_USER_DATA_DIR: path.join(workDir, `electron-${Date.now()}`) },
    });
    await use(electronApp);
    await electronApp.close();
  },
  app: async ({ appMode, electronApp, page, webHost }, use) => {
    if (appMode === 'electron' && electronApp) {
      const window = await electronApp.firstWindow();
      await use(window);
      return;
    }
    await page.goto(webHost.url);
    await use(page);
  },
});

/** Saves a screenshot of the current screen for people to look at (test-results/screenshots/<name>.png). */
export async function saveScreenshot(page: Page, name: string, mode: string): Promise<void> {
  await mkdir(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${mode}-${name}.png`), fullPage: true });
}

/** A drop as the browser delivers it: dragenter, dragover, drop with a DataTransfer carrying these files. */
export async function dropFiles(
  page: Page,
  files: { name: string; base64: string; type?: string }[],
  options: { checkOverlay?: boolean } = {},
): Promise<void> {
  const dataTransfer = await page.evaluateHandle((list) => {
    const transfer = new DataTransfer();
    for (const file of list) {
      const bytes = Uint8Array.from(atob(file.base64), (char) => char.charCodeAt(0));
      transfer.items.add(new File([bytes], file.name, { type: file.type ?? 'application/octet-stream' }));
    }
    return transfer;
  }, files);
  await page.dispatchEvent('body', 'dragenter', { dataTransfer });
  await page.dispatchEvent('body', 'dragover', { dataTransfer });
  if (options.checkOverlay) await expect(page.getByTestId('drop-overlay')).toBeVisible();
  await page.dispatchEvent('body', 'drop', { dataTransfer });
}
