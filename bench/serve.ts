// npm run bench:serve — throughput and latency of the exported service (not a test: prints figures).
//   Exports the sample model, starts the bundle's server (its own npm-installed dependencies, as in the
//   image) on loopback, and loads POST /predict with the guide's payload: autocannon, 16 connections,
//   10 s after a 2 s warm-up. Then the guide's FastAPI + scikit-learn service under the same load, when
//   /usr/bin/python3 has fastapi, uvicorn and scikit-learn. Prints the image size when the container
//   test has built one. Drift off and on are compared in alternating runs (medians), with the server's
//   CPU per request (its workers included) beside them. Targets (issue 16, 2-core machine): ≥ 8× the guide's requests/s and p99 ≤ 5 ms at
//   16 connections, p99 ≤ 15 ms at 64, drift on ≥ 90 % of drift off, image ≤ 300 MB.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { exportBundle } from '../main/export/bundle-writer.ts';
import { createAppServices } from '../main/services.ts';
import { guidePayload, linkDependencies, repoRoot, sampleModel, tempDir } from '../tests/export/helpers.ts';

const connectionCounts = [16, 64];
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
// Drift off against on: this many alternating pairs of runs, each this long (medians compared).
const driftRounds = 4;
const driftSeconds = Number(process.env.BENCH_DRIFT_DURATION ?? 5);
const python = '/usr/bin/python3';
const imageTargetMb = 300;

interface LoadResult {
  name: string;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  cpuMicrosPerRequest?: number;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, child: ChildProcess, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${url}: the service exited with ${child.exitCode}`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(guidePayload),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

async function load(name: string, url: string, duration: number, connections = 16): Promise<LoadResult> {
  const result = await autocannon({
    url,
    method: 'POST',
    connections,
    duration,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(guidePayload),
  });
  return {
    name,
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
  };
}

/** CPU seconds a process and all its descendants (a cluster's workers) have used, from /proc. */
function treeCpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const ticksPerSecond = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    let ticks = 0;
    const pending = [pid];
    while (pending.length > 0) {
      const current = pending.pop()!;
      const fields = readFileSync(`/proc/${current}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      for (const task of readdirSync(`/proc/${current}/task`)) {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        if (children) pending.push(...children.split(' ').map(Number));
      }
    }
    return ticks / ticksPerSecond;
  } catch {
    return undefined;
  }
}

async function measure(
  name: string,
  url: string,
  pid: number | undefined,
  connections = 16,
  seconds = durationSeconds,
  warmUp = true,
): Promise<LoadResult> {
  if (warmUp) await load(name, url, 2, connections); // JIT, connection pools
  const before = treeCpuSeconds(pid);
  const result = await load(`${name}, ${connections} connections`, url, seconds, connections);
  const after = treeCpuSeconds(pid);
  if (before !== undefined && after !== undefined) {
    // CPU per request does not depend on what else the machine runs, unlike requests/s.
    result.cpuMicrosPerRequest = ((after - before) * 1e6) / (result.requestsPerSecond * seconds);
  }
  return result;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

function imageSize(): string | undefined {
  for (const command of [
    ['docker', ['image', 'inspect', '--format', '{{.Size}}', 'localhost/modeldock-container-test:latest']],
    ['buildah', ['images', '--format', '{{.Size}}', 'localhost/modeldock-container-test:latest']],
  ] as const) {
    try {
      const out = execFileSync(command[0], [...command[1]], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
      if (out) return /^\d+$/.test(out) ? `${(Number(out) / 1e6).toFixed(0)} MB` : out;
    } catch {
      // engine not here
    }
  }
  return undefined;
}

function pythonHasGuideStack(): boolean {
  try {
    execFileSync(python, ['-c', 'import fastapi, uvicorn, sklearn, pandas'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main() {
  const work = await tempDir('bench-serve');
  const services = createAppServices({ mode: 'cli', dataDir: path.join(work, 'data') });
  const models = services.models;
  const info = await models.open(sampleModel);
  const bundle = await exportBundle(models, info.modelId, {
    outDir: path.join(work, 'bundle'),
    name: 'lead-scoring',
  });
  // The same bundle watching drift against the lead data (what drift costs per request).
  const reference = path.join(repoRoot, 'assets', 'data', 'course_lead_scoring.csv');
  const profile = await services.library.profileReferenceCsv(info.modelId, reference);
  const driftBundle = await exportBundle(models, info.modelId, {
    outDir: path.join(work, 'bundle-drift'),
    name: 'lead-scoring',
    driftReference: { profile, fileName: 'course_lead_scoring.csv' },
  });
  await models.closeAll();
  await linkDependencies(bundle.path);
  await linkDependencies(driftBundle.path);
  const results: LoadResult[] = [];
  const driftOff: LoadResult[] = [];
  const driftOn: LoadResult[] = [];
  const workers = process.env.WORKERS ?? String(os.availableParallelism());

  // Both services run side by side and are loaded one at a time: drift off and on alternate in rounds
  // (off-on, on-off, …) so the machine's drift over a minute (other processes, heat) falls on both alike.
  const servers: { label: string; url: string; child: ChildProcess }[] = [];
  try {
    for (const [label, dir] of [
      ['exported service', bundle.path],
      ['exported service, drift on', driftBundle.path],
    ] as const) {
      const port = await freePort();
      const log = openSync(path.join(work, `${label.replace(/\W+/g, '-')}.log`), 'w');
      // Logs go to a file, as a container runtime would collect them: their cost is part of the figure.
      const child = spawn(process.execPath, ['server/main.js'], {
        cwd: dir,
        env: {
          PATH: process.env.PATH ?? '',
          PORT: String(port),
          HOST: '127.0.0.1',
          NODE_ENV: 'production',
          WORKERS: workers,
        },
        stdio: ['ignore', log, log],
      });
      servers.push({
        label: `${label} (WORKERS=${workers})`,
        url: `http://127.0.0.1:${port}/predict`,
        child,
      });
      await waitFor(`http://127.0.0.1:${port}/predict`, child, 30);
    }
    const [off, on] = servers as [(typeof servers)[0], (typeof servers)[0]];
    for (const connections of connectionCounts)
      results.push(await measure(off.label, off.url, off.child.pid, connections));
    await load(on.label, on.url, 2, 16); // warm-up of the drift-on service
    for (let round = 0; round < driftRounds; round++) {
      const order = round % 2 === 0 ? [off, on] : [on, off];
      for (const server of order) {
        const result = await measure(server.label, server.url, server.child.pid, 16, driftSeconds, false);
        (server === off ? driftOff : driftOn).push(result);
      }
    }
  } finally {
    for (const server of servers) await stop(server.child);
  }

  if (pythonHasGuideStack()) {
    const guidePort = await freePort();
    const guide = spawn(
      python,
      [
        path.join(repoRoot, 'scripts', 'bench', 'guide_fastapi_service.py'),
        path.join(repoRoot, 'assets', 'data', 'course_lead_scoring.csv'),
        path.join(work, 'guide-pipeline.pkl'),
        String(guidePort),
      ],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    try {
      await waitFor(`http://127.0.0.1:${guidePort}/predict`, guide, 60);
      results.push(
        await measure(
          "guide's FastAPI + scikit-learn (uvicorn, 1 worker)",
          `http://127.0.0.1:${guidePort}/predict`,
          guide.pid,
        ),
      );
      results.push(
        await measure(
          "guide's FastAPI + scikit-learn (uvicorn, 1 worker)",
          `http://127.0.0.1:${guidePort}/predict`,
          guide.pid,
          64,
        ),
      );
    } finally {
      await stop(guide);
    }
  } else {
    console.log(`(${python} lacks fastapi/uvicorn/scikit-learn: the guide's service is not measured)`);
  }

  console.log(
    `\nPOST /predict, guide payload, ${durationSeconds} s per run, loopback, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  for (const result of results) {
    console.log(
      `${result.name.padEnd(72)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${result.p50} ms   p99 ${result.p99} ms` +
        (result.cpuMicrosPerRequest === undefined
          ? ''
          : `   server CPU ${result.cpuMicrosPerRequest.toFixed(0)} µs/request`) +
        (result.errors || result.non2xx ? `   errors ${result.errors}, non-2xx ${result.non2xx}` : ''),
    );
  }
  const at16 = results.find(
    (result) => result.name.startsWith('exported service (') && result.name.endsWith('16 connections'),
  )!;
  const at64 = results.find(
    (result) => result.name.startsWith('exported service (') && result.name.endsWith('64 connections'),
  )!;
  const offMedian = median(driftOff.map((result) => result.requestsPerSecond));
  const onMedian = median(driftOn.map((result) => result.requestsPerSecond));
  const cpuOf = (runs: LoadResult[]) =>
    runs.every((result) => result.cpuMicrosPerRequest !== undefined)
      ? median(runs.map((result) => result.cpuMicrosPerRequest!))
      : undefined;
  const [cpuOff, cpuOn] = [cpuOf(driftOff), cpuOf(driftOn)];
  const runsText = (runs: LoadResult[]) =>
    runs.map((result) => result.requestsPerSecond.toFixed(0)).join(', ');
  console.log(
    `\ndrift off against on, 16 connections, ${driftRounds} alternating pairs of ${driftSeconds} s runs:` +
      `\n  off: ${runsText(driftOff)} req/s (median ${offMedian.toFixed(0)})` +
      (cpuOff === undefined ? '' : `, server CPU ${cpuOff.toFixed(0)} µs/request`) +
      `\n  on:  ${runsText(driftOn)} req/s (median ${onMedian.toFixed(0)})` +
      (cpuOn === undefined ? '' : `, server CPU ${cpuOn.toFixed(0)} µs/request`),
  );
  const driftShare = (100 * onMedian) / offMedian;
  const guide = results.find(
    (result) => result.name.startsWith("guide's") && result.name.endsWith('16 connections'),
  );
  const ratio = guide ? at16.requestsPerSecond / guide.requestsPerSecond : undefined;
  console.log(
    [
      `targets: ≥ 8× the guide's req/s at 16 connections ${ratio === undefined ? 'not measured' : `${ratio.toFixed(1)}× (${ratio >= 8 ? 'met' : 'NOT met'})`}`,
      `p99 ≤ 5 ms at 16 ${at16.p99 <= 5 ? 'met' : 'NOT met'}`,
      `p99 ≤ 15 ms at 64 ${at64.p99 <= 15 ? 'met' : 'NOT met'}`,
      `drift on ≥ 90 % of off: ${driftShare.toFixed(0)} % (${driftShare >= 90 ? 'met' : 'NOT met'})` +
        (cpuOff === undefined || cpuOn === undefined
          ? ''
          : `, drift's CPU per request ${(((cpuOn - cpuOff) / cpuOff) * 100).toFixed(0)} % more`),
    ].join('; '),
  );
  const size = imageSize();
  const sizeMb = /^([\d.]+) ?MB$/.exec(size ?? '')?.[1];
  const verdict = sizeMb === undefined ? '' : Number(sizeMb) <= imageTargetMb ? ', met' : ', NOT met';
  console.log(
    size
      ? `image size: ${size} (target ≤ ${imageTargetMb} MB${verdict})`
      : 'image size: no image here (run scripts/container-test.sh first)',
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
