// npm run bench:core — speed of the core model service on the sample model (not a test: prints figures).
//   open (checksums + inspection + session), first prediction, single-prediction latency over 10,000
//   calls, and checksum throughput on a 1 GB file. Targets (2-core machine): open + first prediction
//   ≤ 150 ms, p99 single prediction ≤ 1 ms, checksums ≥ 400 MB/s.
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { checksumFile } from '../main/models/checksums.ts';
import { ModelService } from '../main/models/model-service.ts';

const sample = path.resolve(import.meta.dirname, '../assets/models/lead_scoring.onnx');
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
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-bench-'));
  const service = new ModelService({ dataDir });
  try {
    // The very first open in a process also loads onnxruntime's native library.
    const cold = await openAndFirstPrediction(service);
    const warm: { open: number; first: number }[] = [];
    for (let i = 0; i < 20; i++) {
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

await main();
