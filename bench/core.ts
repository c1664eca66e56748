// npm run bench:core — speed of the core model service on the sample model (not a test: prints figures).
//   open (checksums + inspection + session), first prediction, single-prediction latency over 10,000
//   calls, and checksum throughput on a 1 GB file. Targets (2-core machine): open + first prediction
//   ≤ 150 ms, p99 single prediction ≤ 1 ms, checksums ≥ 400 MB/s. Then one prediction as a user runs
//   it from a terminal — `modeldock predict` in a fresh process, on the sample ONNX and on the guide's
//   pickle — beside what the guide's user would run: python3 loading the pickle and calling predict_proba.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checksumFile } from '../main/models/checksums.ts';
import { keepReaderWarm } from '../main/models/model-reader.ts';
import { ModelService } from '../main/models/model-service.ts';

const root = path.resolve(import.meta.dirname, '..');
const sample = path.join(root, 'assets/models/lead_scoring.onnx');
const guidePickle = path.join(root, 'tests/fixtures/sklearn/pipeline_v1.bin');
const python = '/usr/bin/python3';
const payload = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };
const calls = 10_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
const ms = (value: number) => `${value.toFixed(value < 1 ? 3 : 1)} ms`;

async function openAndFirstPrediction(service: ModelService) {
  const t0 = performance.now();
  const info = await service.open(sample);
  const t1 = performance.now();
  await service.predict(info.modelId, payload);
  const t2 = performance.now();
  return { modelId: info.modelId, open: t1 - t0, first: t2 - t1 };
}

async function main() {
  // The shipped worker bundles (dist/), as the app runs them, not TypeScript compiled in every worker.
  execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--quiet'], { stdio: 'inherit' });
  process.env.MODELDOCK_WORKERS = 'built';
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-bench-'));
  const service = new ModelService({ dataDir });
  keepReaderWarm(); // as the app and browser mode do (main/services.ts)
  try {
    await new Promise((resolve) => setTimeout(resolve, 300)); // the app's window takes longer to appear
    // The very first open in a process also loads onnxruntime's native library.
    const cold = await openAndFirstPrediction(service);
    const warm: { open: number; first: number }[] = [];
    for (let i = 0; i < 20; i++) {
      // A user drops the next file after more than this; meanwhile the next reader is ready.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const run = await openAndFirstPrediction(service);
      warm.push(run);
      await service.close(run.modelId);
    }
    const median = (values: number[]) =>
      percentile(
        [...values].sort((a, b) => a - b),
        50,
      );
    const warmOpen = median(warm.map((run) => run.open));
    const warmFirst = median(warm.map((run) => run.first));
    console.log(`open (checksums + inspection + session), first in process: ${ms(cold.open)}`);
    console.log(`first prediction, first in process:                     ${ms(cold.first)}`);
    console.log(`open, median of 20 later opens:                          ${ms(warmOpen)}`);
    console.log(`first prediction after open, median of 20:               ${ms(warmFirst)}`);
    console.log(
      `open + first prediction: cold ${ms(cold.open + cold.first)}, warm ${ms(warmOpen + warmFirst)} (target ≤ 150 ms)`,
    );

    const latencies = new Float64Array(calls);
    for (let i = 0; i < 200; i++) await service.predict(cold.modelId, payload);
    for (let i = 0; i < calls; i++) {
      const t = performance.now();
      await service.predict(cold.modelId, payload);
      latencies[i] = performance.now() - t;
    }
    const sorted = Array.from(latencies).sort((a, b) => a - b);
    console.log(
      `single prediction over ${calls} calls (validate + tensors + run + read): p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1)!)} (target p99 ≤ 1 ms)`,
    );
  } finally {
    await service.closeAll();
  }

  // A sparse 1 GiB file: reads come from the page cache, so this measures hashing, not the disk.
  const big = path.join(dataDir, 'one-gigabyte.bin');
  try {
    const handle = await open(big, 'w');
    await handle.truncate(1024 ** 3);
    await handle.close();
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      await checksumFile(big);
      runs.push(performance.now() - t);
    }
    const best = Math.min(...runs);
    const mbPerSecond = 1024 ** 3 / 1e6 / (best / 1000);
    console.log(
      `checksums (SHA-256 + MD5, one pass) of 1 GiB: best of 3 ${ms(best)} = ${mbPerSecond.toFixed(0)} MB/s (runs ${runs.map((run) => run.toFixed(0)).join(', ')} ms; target ≥ 400 MB/s)`,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Median wall time of `runs` fresh processes, after one warm-up (the CLI builds its bundle on first use). */
function medianProcessMs(command: string, args: string[], env: NodeJS.ProcessEnv, runs = 7): number {
  execFileSync(command, args, { cwd: root, env, stdio: 'ignore' });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(command, args, { cwd: root, env, stdio: 'ignore' });
    times.push(performance.now() - t);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

function fromTerminal(): void {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-bench-cli-'));
  const env = { ...process.env, MODELDOCK_DATA_DIR: dataDir };
  const cli = (model: string) =>
    medianProcessMs(
      process.execPath,
      ['bin/modeldock.mjs', 'predict', model, '--input', JSON.stringify(payload), '--json'],
      env,
    );
  try {
    console.log(`modeldock predict, sample ONNX (fresh process, median of 7):    ${ms(cli(sample))}`);
    console.log(`modeldock predict, guide's pickle (fresh process, median of 7): ${ms(cli(guidePickle))}`);
    const script = `import pickle; m = pickle.load(open(${JSON.stringify(guidePickle)}, 'rb')); print(m.predict_proba([${JSON.stringify(payload)}])[0, 1])`;
    let hasSklearn = existsSync(python);
    try {
      if (hasSklearn) execFileSync(python, ['-c', 'import sklearn'], { stdio: 'ignore' });
    } catch {
      hasSklearn = false;
    }
    if (hasSklearn) {
      console.log(
        `python3: pickle.load + predict_proba (fresh process, median of 7): ${ms(medianProcessMs(python, ['-c', script], env))}`,
      );
    } else {
      console.log('(python3 comparison skipped: /usr/bin/python3 with scikit-learn is not installed)');
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
fromTerminal();
