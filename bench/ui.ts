/**
 * `npm run bench:ui` — the desktop app's speed, as a person would feel it in browser mode:
 *   1. time from starting browser mode (`main/web/start.ts`, a fresh process) to the app's first paint;
 *   2. the renderer's JavaScript size, gzipped (what a window has to load and parse);
 *   3. p50/p99 of one prediction through the HTTP transport (the renderer's typed client), over 2,000 calls.
 * Targets (issue 3): first paint ≤ 1.5 s, JavaScript ≤ 350 KB gzip, p99 ≤ 5 ms.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { chromium } from '@playwright/test';
import { e2eBrowser } from '../e2e/browser.ts';
import { createClient } from '../renderer/client/client.ts';
import { createHttpTransport } from '../renderer/client/http-transport.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sampleModel = path.join(root, 'assets/models/lead_scoring.onnx');
const guidePayload = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };
const calls = 2000;
const warmup = 200;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** All JavaScript the renderer can load, and the part index.html loads before the first paint. */
async function rendererJsGzipBytes(): Promise<{ raw: number; gzip: number; initialGzip: number }> {
  const dist = path.join(root, 'dist/renderer');
  const indexHtml = await readFile(path.join(dist, 'index.html'), 'utf8');
  let raw = 0;
  let gzip = 0;
  let initialGzip = 0;
  for (const name of await readdir(path.join(dist, 'assets'))) {
    if (!name.endsWith('.js')) continue;
    const bytes = await readFile(path.join(dist, 'assets', name));
    const compressed = gzipSync(bytes, { level: 9 }).length;
    raw += bytes.length;
    gzip += compressed;
    if (indexHtml.includes(`assets/${name}`)) initialGzip += compressed;
  }
  return { raw, gzip, initialGzip };
}

async function firstPaint(dataDir: string): Promise<{ hostReadyMs: number; firstPaintMs: number }> {
  const { executablePath, env } = e2eBrowser();
  const browser = await chromium.launch({
    executablePath,
    ...(env ? { env: { ...process.env, ...env } } : {}),
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  const page = await browser.newPage();
  // Let the browser finish starting its own processes, so the clock measures ModelDock, not Chromium's start.
  await page.goto('about:blank');
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const started = performance.now();
  const host = await startHostProcess(dataDir);
  try {
    const hostReadyMs = performance.now() - started;
    await page.goto(host.url);
    // First contentful paint of the app's own UI (the empty state), as the browser records it.
    await page.getByTestId('empty-state').waitFor();
    const paintedAt = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          const entry = performance.getEntriesByName('first-contentful-paint')[0];
          if (entry) resolve(performance.timeOrigin + entry.startTime);
          else requestAnimationFrame(() => resolve(performance.timeOrigin + performance.now()));
        }),
    );
    // performance.timeOrigin is wall-clock in the page; convert our start to the same clock.
    const startedWall = performance.timeOrigin + started;
    return { hostReadyMs, firstPaintMs: paintedAt - startedWall };
  } finally {
    host.child.kill('SIGTERM');
    await browser.close();
  }
}

/** Starts browser mode as its own process (as `npm run web` does) and returns its address and token. */
async function startHostProcess(dataDir: string) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(root, 'main/web/start.ts'), '--json', '--data-dir', dataDir],
    { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const line = await new Promise<string>((resolve) =>
    createInterface({ input: child.stdout! }).once('line', resolve),
  );
  return { child, ...(JSON.parse(line) as { url: string; origin: string; token: string }) };
}

/** The renderer's client in this process, the host in its own — two processes, as in a real browser tab. */
async function predictionLatency(dataDir: string): Promise<{ p50: number; p99: number; mean: number }> {
  const host = await startHostProcess(dataDir);
  try {
    const client = createClient(createHttpTransport({ token: host.token, baseUrl: host.origin }));
    const model = await client.call('model.open', { path: sampleModel });
    const times: number[] = [];
    for (let i = 0; i < warmup + calls; i++) {
      const start = performance.now();
      await client.call('model.predict', { modelId: model.modelId, payload: guidePayload });
      if (i >= warmup) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return {
      p50: percentile(times, 50),
      p99: percentile(times, 99),
      mean: times.reduce((sum, value) => sum + value, 0) / times.length,
    };
  } finally {
    host.child.kill('SIGTERM');
  }
}

/**
 * The floor under any HTTP transport here: a bare node:http server in its own process answering a tiny JSON
 * body, called the same way (two processes, loopback, keep-alive).
 */
async function bareHttpLatency(): Promise<{ p50: number; p99: number }> {
  const serverSource = `
    const server = require('node:http').createServer((request, response) => {
      request.resume();
      request.on('end', () => {
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end('{"ok":true,"value":{}}');
      });
    });
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
  const child = spawn(process.execPath, ['-e', serverSource], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const port = await new Promise<string>((resolve) =>
      createInterface({ input: child.stdout! }).once('line', resolve),
    );
    const url = `http://127.0.0.1:${port}/`;
    const times: number[] = [];
    for (let i = 0; i < warmup + calls; i++) {
      const start = performance.now();
      await (await fetch(url, { method: 'POST', body: '{}' })).json();
      if (i >= warmup) times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    return { p50: percentile(times, 50), p99: percentile(times, 99) };
  } finally {
    child.kill('SIGTERM');
  }
}

if (!existsSync(path.join(root, 'dist/renderer/index.html'))) {
  spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
}
// Raise our priority when allowed (children inherit it), so other work on a shared machine disturbs the tails
// less; the figures then describe ModelDock rather than its neighbours. Reported in the header line.
let priority = 'normal priority';
try {
  os.setPriority(-10);
  priority = 'raised priority (nice -10)';
} catch {
  // Not permitted for this user: measure as is.
}
const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-bench-ui-'));
try {
  const paint = await firstPaint(dataDir);
  const size = await rendererJsGzipBytes();
  const latency = await predictionLatency(dataDir);
  const floor = await bareHttpLatency();
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  // Other work on the machine shows in the tails; the load average says how quiet it was.
  console.log(
    `ModelDock UI benchmark (${os.cpus().length} CPUs, Node ${process.versions.node}, load average ${os.loadavg()[0]!.toFixed(1)}, ${priority})`,
  );
  console.log(`  browser mode start → host ready        ${paint.hostReadyMs.toFixed(0)} ms`);
  console.log(
    `  browser mode start → first paint       ${paint.firstPaintMs.toFixed(0)} ms   (target ≤ 1500 ms)`,
  );
  console.log(
    `  renderer JavaScript, all chunks        ${kb(size.gzip)} gzip (${kb(size.raw)} raw)   (target ≤ 350 KB)`,
  );
  console.log(
    `  renderer JavaScript, first paint       ${kb(size.initialGzip)} gzip (Batch, Export and the library load on demand)`,
  );
  console.log(
    `  predict over HTTP, ${calls} calls          p50 ${latency.p50.toFixed(2)} ms, p99 ${latency.p99.toFixed(2)} ms, mean ${latency.mean.toFixed(2)} ms   (target p99 ≤ 5 ms)`,
  );
  console.log(
    `  bare node:http round trip (the floor)  p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`,
  );
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
