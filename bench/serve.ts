// npm run bench:serve — throughput and latency of the exported service (not a test: prints figures).
//   Exports the sample model, starts the bundle's server (its own npm-installed dependencies, as in the
//   image) on loopback, and loads POST /predict with the guide's payload: autocannon, 16 connections,
//   10 s after a 2 s warm-up. Then the guide's FastAPI + scikit-learn service under the same load, when
//   /usr/bin/python3 has fastapi, uvicorn and scikit-learn. Prints the image size when the container
//   test has built one. Targets (2-core machine): ≥ 8,000 requests/s, p99 ≤ 5 ms, image ≤ 400 MB.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { exportBundle } from '../main/export/bundle-writer.ts';
import { ModelService } from '../main/models/model-service.ts';
import { guidePayload, linkDependencies, repoRoot, sampleModel, tempDir } from '../tests/export/helpers.ts';

const connections = 16;
const durationSeconds = Number(process.env.BENCH_DURATION ?? 10);
const python = '/usr/bin/python3';

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

async function load(name: string, url: string, duration: number): Promise<LoadResult> {
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

/** CPU seconds a process has used (user + system), from /proc; undefined where there is no /proc. */
function cpuSeconds(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  } catch {
    return undefined;
  }
}

async function measure(name: string, url: string, pid: number | undefined): Promise<LoadResult> {
  await load(name, url, 2); // warm-up: JIT, connection pools
  const before = cpuSeconds(pid);
  const result = await load(name, url, durationSeconds);
  const after = cpuSeconds(pid);
  if (before !== undefined && after !== undefined) {
    // CPU per request does not depend on what else the machine runs, unlike requests/s.
    result.cpuMicrosPerRequest = ((after - before) * 1e6) / (result.requestsPerSecond * durationSeconds);
  }
  return result;
}

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
  const models = new ModelService({ dataDir: path.join(work, 'data') });
  const info = await models.open(sampleModel);
  const bundle = await exportBundle(models, info.modelId, {
    outDir: path.join(work, 'bundle'),
    name: 'lead-scoring',
  });
  await models.closeAll();
  await linkDependencies(bundle.path);
  const results: LoadResult[] = [];

  const port = await freePort();
  const log = openSync(path.join(work, 'service.log'), 'w');
  // Logs go to a file, as a container runtime would collect them: their cost is part of the figure.
  const service = spawn(process.execPath, ['server/main.js'], {
    cwd: bundle.path,
    env: { PATH: process.env.PATH ?? '', PORT: String(port), HOST: '127.0.0.1', NODE_ENV: 'production' },
    stdio: ['ignore', log, log],
  });
  try {
    await waitFor(`http://127.0.0.1:${port}/predict`, service, 20);
    results.push(
      await measure(
        'exported service (Fastify + onnxruntime-node)',
        `http://127.0.0.1:${port}/predict`,
        service.pid,
      ),
    );
  } finally {
    await stop(service);
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
    } finally {
      await stop(guide);
    }
  } else {
    console.log(`(${python} lacks fastapi/uvicorn/scikit-learn: the guide's service is not measured)`);
  }

  console.log(
    `\nPOST /predict, guide payload, ${connections} connections, ${durationSeconds} s, loopback, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
  );
  for (const result of results) {
    console.log(
      `${result.name.padEnd(52)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s   p50 ${result.p50} ms   p99 ${result.p99} ms` +
        (result.cpuMicrosPerRequest === undefined
          ? ''
          : `   server CPU ${result.cpuMicrosPerRequest.toFixed(0)} µs/request`) +
        (result.errors || result.non2xx ? `   errors ${result.errors}, non-2xx ${result.non2xx}` : ''),
    );
  }
  const exported = results[0]!;
  console.log(
    `targets: ≥ 8000 req/s ${exported.requestsPerSecond >= 8000 ? 'met' : 'NOT met'}; p99 ≤ 5 ms ${exported.p99 <= 5 ? 'met' : 'NOT met'}`,
  );
  const size = imageSize();
  console.log(
    size
      ? `image size: ${size} (target ≤ 400 MB)`
      : 'image size: no image here (run scripts/container-test.sh first)',
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
