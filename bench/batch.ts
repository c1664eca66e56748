/**
 * npm run bench:batch — batch scoring speed and memory (a benchmark, not a test).
 *
 * Generates 1M and 5M lead rows (scripts/generate-leads.ts) into /tmp/modeldock-bench, scores each
 * with the sample model in a fresh process (so peak RSS is per file), and prints wall time (whole
 * process, end to end), rows/s and peak RSS. When /usr/bin/python3 has pandas and scikit-learn it
 * times the equivalent pandas + scikit-learn script on the same file and prints the ratio.
 * Also measures how long a cancel takes to stop a run.
 *
 * Files of 4 MB and more are scored by two workers when they can be cut safely (parallel-split.ts);
 * --one-worker measures the single-worker path instead.
 *
 *   npm run bench:batch [-- --sizes 1000000,5000000] [--batch-sizes 1024,4096,8192,32768] [--no-python] [--one-worker]
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { ModelService } from '../main/models/model-service.ts';
import { ScoringService } from '../main/scoring/scoring-service.ts';
import { writeLeadCsv } from '../scripts/generate-leads.ts';

const root = path.resolve(import.meta.dirname, '..');
const model = path.join(root, 'assets/models/lead_scoring.onnx');
const leadCsv = path.join(root, 'assets/data/course_lead_scoring.csv');
const workDir = '/tmp/modeldock-bench';
const python = '/usr/bin/python3';
const run = promisify(execFile);
const fill = {
  lead_source: { mode: 'fill', value: 'NA' },
  annual_income: { mode: 'fill', value: '0' },
} as const;

const oneWorker = process.argv.includes('--one-worker');

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

interface ChildResult {
  seconds: number;
  /** CPU seconds of all threads: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  rows: number;
  maxRssKb: number;
  cancelMs?: number;
}

/** In the child: score one file (or start and cancel), print one JSON line. */
async function child(file: string, batchSize: number, cancelAfterMs: number | undefined): Promise<void> {
  const models = new ModelService({ dataDir: path.join(workDir, 'data') });
  const info = await models.open(model);
  const scoring = new ScoringService(models, {
    batchSize,
    ...(oneWorker ? { parallelMinBytes: Number.POSITIVE_INFINITY } : {}),
  });
  const outputPath = `${file}.scored.csv`;
  const controller = new AbortController();
  let cancelledAt = 0;
  if (cancelAfterMs !== undefined) {
    setTimeout(() => {
      cancelledAt = performance.now();
      controller.abort();
    }, cancelAfterMs);
  }
  const started = performance.now();
  const result: ChildResult = { seconds: 0, cpuSeconds: 0, rows: 0, maxRssKb: 0 };
  try {
    const summary = await scoring.score(
      {
        modelId: info.modelId,
        path: file,
        outputPath,
        overwrite: true,
        threshold: 0.5,
        numberFormat: 'plain',
        missing: fill,
      },
      { signal: controller.signal },
    );
    result.rows = summary.rows;
  } catch (error) {
    if ((error as { code?: string }).code !== 'cancelled') throw error;
    result.cancelMs = performance.now() - cancelledAt;
  }
  result.seconds = (performance.now() - started) / 1000;
  result.maxRssKb = process.resourceUsage().maxRSS;
  const cpu = process.cpuUsage();
  result.cpuSeconds = (cpu.user + cpu.system) / 1e6;
  rmSync(outputPath, { force: true });
  await models.closeAll();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs the child in a fresh Node process; wall time covers process start to exit. */
async function measure(file: string, batchSize: number, cancelAfterMs?: number) {
  const args = ['--import', 'tsx', path.join(root, 'bench/batch.ts'), '--child', file, String(batchSize)];
  args.push(cancelAfterMs === undefined ? '-' : String(cancelAfterMs));
  if (oneWorker) args.push('--one-worker');
  const started = performance.now();
  const output = await new Promise<string>((resolve, reject) => {
    const proc = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let text = '';
    proc.stdout.on('data', (chunk) => {
      text += chunk;
    });
    proc.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`bench child exited with ${code}`)),
    );
  });
  const wall = (performance.now() - started) / 1000;
  return { wall, ...(JSON.parse(output.trim().split('\n').at(-1) ?? '{}') as ChildResult) };
}

async function pythonAvailable(): Promise<boolean> {
  if (!existsSync(python)) return false;
  try {
    await run(python, ['-c', 'import pandas, sklearn']);
    return true;
  } catch {
    return false;
  }
}

async function pandas(file: string): Promise<ChildResult> {
  const out = `${file}.pandas.csv`;
  const { stdout } = await run(python, [path.join(root, 'bench/pandas_score.py'), leadCsv, file, out], {
    maxBuffer: 1 << 20,
  });
  rmSync(out, { force: true });
  return JSON.parse(stdout.trim()) as ChildResult;
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

async function main(): Promise<void> {
  const sizes = (option('sizes') ?? '1000000,5000000').split(',').map(Number);
  const batchSizes = option('batch-sizes')?.split(',').map(Number);
  const withPython = !process.argv.includes('--no-python') && (await pythonAvailable());
  mkdirSync(workDir, { recursive: true });
  console.log(
    `Batch scoring benchmark (${process.arch}, Node ${process.versions.node}, batch size 4096, ${oneWorker ? 'one worker' : 'two workers where the file allows'})`,
  );
  for (const rows of sizes) {
    const file = path.join(workDir, `leads-${rows}.csv`);
    if (!existsSync(file)) {
      process.stdout.write(`generating ${rows.toLocaleString('en-US')} rows… `);
      await writeLeadCsv(file, rows, 7);
      console.log('done');
    }
    for (const batchSize of batchSizes ?? [4096]) {
      const result = await measure(file, batchSize);
      console.log(
        `modeldock ${rows.toLocaleString('en-US').padStart(9)} rows  batch ${String(batchSize).padStart(5)}: ` +
          `${result.wall.toFixed(2)} s end to end (${result.seconds.toFixed(2)} s in score, ${result.cpuSeconds.toFixed(2)} s CPU), ` +
          `${Math.round(rows / result.wall).toLocaleString('en-US')} rows/s, peak RSS ${mb(result.maxRssKb)}`,
      );
      if (withPython && batchSize === (batchSizes?.[0] ?? 4096)) {
        const reference = await pandas(file);
        console.log(
          `pandas+sklearn ${rows.toLocaleString('en-US').padStart(9)} rows: ${reference.seconds.toFixed(2)} s (${reference.cpuSeconds.toFixed(2)} s CPU), ` +
            `peak RSS ${mb(reference.maxRssKb)} → ratio ${(reference.seconds / result.wall).toFixed(2)} wall, ` +
            `${(reference.cpuSeconds / result.cpuSeconds).toFixed(2)} CPU (above 1: modeldock is faster)`,
        );
      }
    }
  }
  const first = path.join(workDir, `leads-${sizes[0]}.csv`);
  const cancels = [];
  for (const after of [300, 700, 1000])
    cancels.push((await measure(first, 4096, after)).cancelMs ?? Number.NaN);
  console.log(`cancel: stopped ${cancels.map((ms) => `${ms.toFixed(0)} ms`).join(', ')} after the request`);
  if (!withPython) {
    console.log(
      process.argv.includes('--no-python')
        ? '(pandas + scikit-learn comparison skipped: --no-python)'
        : '(pandas + scikit-learn comparison skipped: /usr/bin/python3 lacks them)',
    );
  }
}

if (process.argv[2] === '--child') {
  await child(
    process.argv[3] ?? '',
    Number(process.argv[4] ?? 4096),
    process.argv[5] && process.argv[5] !== '-' ? Number(process.argv[5]) : undefined,
  );
} else {
  await main();
}
