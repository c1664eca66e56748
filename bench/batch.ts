/**
 * npm run bench:batch — batch scoring speed and memory (a benchmark, not a test).
 *
 * Generates 1M and 5M lead rows (scripts/generate-leads.ts) into /tmp/modeldock-bench and scores each
 * with `modeldock score` exactly as a user runs it (node bin/modeldock.mjs, a fresh process per file,
 * after one warm-up run), printing wall time from spawn to exit, the time
 * inside scoring (the CLI's JSON summary), CPU time of all threads and peak RSS (bench/rusage-on-exit.mjs,
 * preloaded). When /usr/bin/python3 has pandas and scikit-learn it times the equivalent pandas +
 * scikit-learn script on the same file and prints the ratio. Then it presses Ctrl-C (SIGINT) on running
 * CLI runs and measures how long each takes to stop and clean up.
 *
 * Developer options, not CLI options: --batch-sizes and --one-worker score through the scoring service
 * in a child process instead (files of 4 MB and more are otherwise cut in two for two workers).
 *
 * --runs N scores each file N times and prints the minimum of each figure (wall, scoring, CPU, peak
 * RSS may come from different runs): on a machine shared with other work the minimum is the figure
 * least disturbed by it.
 *
 *   npm run bench:batch [-- --sizes 1000000,5000000] [--runs 3] [--batch-sizes 1024,4096,8192,32768] [--no-python] [--one-worker]
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
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
const fillFlags = ['--fill', 'lead_source=NA', '--fill', 'annual_income=0'];

const oneWorker = process.argv.includes('--one-worker');

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

interface RunResult {
  /** Process start to exit. */
  wall: number;
  /** Inside scoring, as the run reports it. */
  seconds: number;
  /** CPU seconds of all threads: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  rows: number;
  maxRssKb: number;
}

const runs = Math.max(1, Number(option('runs') ?? 1));

/** The minimum of each figure over `runs` runs of `measure`. */
async function fewest(measure: () => Promise<RunResult>): Promise<RunResult> {
  const results: RunResult[] = [];
  for (let k = 0; k < runs; k++) results.push(await measure());
  const least = (pick: (result: RunResult) => number) => Math.min(...results.map(pick));
  return {
    wall: least((result) => result.wall),
    seconds: least((result) => result.seconds),
    cpuSeconds: least((result) => result.cpuSeconds),
    rows: results[0]?.rows ?? 0,
    maxRssKb: least((result) => result.maxRssKb),
  };
}

/** `modeldock score` in a fresh process, as a user runs it: the minimum of each figure over --runs runs. */
async function measureCli(file: string, extra: string[] = []): Promise<RunResult> {
  return fewest(() => measureCliOnce(file, extra));
}

async function measureCliOnce(file: string, extra: string[] = []): Promise<RunResult> {
  const rusageFile = path.join(workDir, `rusage-${process.pid}.json`);
  const outputPath = `${file}.scored.csv`;
  const args = [
    '--import',
    path.join(root, 'bench/rusage-on-exit.mjs'),
    path.join(root, 'bin/modeldock.mjs'),
  ];
  args.push('score', model, file, '--out', outputPath, ...fillFlags, ...extra, '--force', '--json');
  const started = performance.now();
  const stdout = await new Promise<string>((resolve, reject) => {
    const proc = spawn(process.execPath, args, {
      cwd: root,
      env: {
        ...process.env,
        MODELDOCK_BENCH_RUSAGE: rusageFile,
        MODELDOCK_DATA_DIR: path.join(workDir, 'data'),
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    proc.stdout.on('data', (chunk) => {
      text += chunk;
    });
    proc.on('exit', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`modeldock score exited with ${code}`)),
    );
  });
  const wall = (performance.now() - started) / 1000;
  const summary = JSON.parse(stdout) as { rows: number; seconds: number };
  const usage = JSON.parse(readFileSync(rusageFile, 'utf8')) as { cpuSeconds: number; maxRssKb: number };
  rmSync(rusageFile, { force: true });
  rmSync(outputPath, { force: true });
  return { wall, seconds: summary.seconds, rows: summary.rows, ...usage };
}

/**
 * Ctrl-C `delayMs` after a CLI run started: milliseconds from the signal until the process has exited,
 * and whether anything (partial output included) was left in its output folder.
 */
async function measureCancel(file: string, delayMs: number): Promise<{ ms: number; leftovers: number }> {
  const outDir = path.join(workDir, `cancel-${process.pid}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir);
  const args = [
    path.join(root, 'bin/modeldock.mjs'),
    'score',
    model,
    file,
    '--out',
    path.join(outDir, 'out.csv'),
  ];
  const proc = spawn(process.execPath, [...args, ...fillFlags], {
    cwd: root,
    env: { ...process.env, MODELDOCK_DATA_DIR: path.join(workDir, 'data') },
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => proc.on('exit', () => resolve()));
  await new Promise((resolve) => setTimeout(resolve, delayMs));
  const signalled = performance.now();
  proc.kill('SIGINT');
  await exited;
  const ms = performance.now() - signalled;
  const leftovers = readdirSync(outDir).length;
  rmSync(outDir, { recursive: true, force: true });
  return { ms, leftovers };
}

/** In the child (--batch-sizes, --one-worker): score one file through the service, print one JSON line. */
async function child(file: string, batchSize: number): Promise<void> {
  const models = new ModelService({ dataDir: path.join(workDir, 'data') });
  const info = await models.open(model);
  const scoring = new ScoringService(models, {
    batchSize,
    ...(oneWorker ? { parallelMinBytes: Number.POSITIVE_INFINITY } : {}),
  });
  const outputPath = `${file}.scored.csv`;
  const started = performance.now();
  const summary = await scoring.score({
    modelId: info.modelId,
    path: file,
    outputPath,
    overwrite: true,
    threshold: 0.5,
    numberFormat: 'plain',
    missing: fill,
  });
  const cpu = process.cpuUsage();
  rmSync(outputPath, { force: true });
  await models.closeAll();
  const result = {
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    rows: summary.rows,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The service in a fresh Node process (through tsx); wall time covers process start to exit. */
async function measureService(file: string, batchSize: number): Promise<RunResult> {
  const args = ['--import', 'tsx', path.join(root, 'bench/batch.ts'), '--child', file, String(batchSize)];
  if (oneWorker) args.push('--one-worker');
  const started = performance.now();
  const { stdout } = await run(process.execPath, args, { cwd: root, maxBuffer: 1 << 20 });
  const wall = (performance.now() - started) / 1000;
  return { wall, ...(JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Omit<RunResult, 'wall'>) };
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

async function pandas(file: string): Promise<RunResult> {
  const out = `${file}.pandas.csv`;
  const { stdout } = await run(python, [path.join(root, 'bench/pandas_score.py'), leadCsv, file, out], {
    maxBuffer: 1 << 20,
  });
  rmSync(out, { force: true });
  const result = JSON.parse(stdout.trim()) as Omit<RunResult, 'wall'>;
  return { wall: result.seconds, ...result };
}

const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;
const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(', ');

async function main(): Promise<void> {
  const sizes = (option('sizes') ?? '1000000,5000000').split(',').map(Number);
  const batchSizes = option('batch-sizes')?.split(',').map(Number);
  const viaService = batchSizes !== undefined || oneWorker;
  const withPython = !process.argv.includes('--no-python') && (await pythonAvailable());
  mkdirSync(workDir, { recursive: true });
  console.log(
    viaService
      ? `Batch scoring benchmark through the scoring service (${process.arch}, Node ${process.versions.node}, ${oneWorker ? 'one worker' : 'two workers where the file allows'})`
      : `Batch scoring benchmark: modeldock score, end to end (${process.arch}, Node ${process.versions.node})`,
  );
  if (runs > 1)
    console.log(`Each figure: the minimum of ${runs} runs. Load average at the start: ${loadAverage()}`);
  // The first run after a source change builds the CLI and worker bundles; users pay that once.
  if (!viaService) await measureCliOnce(leadCsv);
  for (const rows of sizes) {
    const file = path.join(workDir, `leads-${rows}.csv`);
    if (!existsSync(file)) {
      process.stdout.write(`generating ${rows.toLocaleString('en-US')} rows… `);
      await writeLeadCsv(file, rows, 7);
      console.log('done');
    }
    for (const batchSize of batchSizes ?? [4096]) {
      const result = viaService
        ? await fewest(() => measureService(file, batchSize))
        : await measureCli(file);
      const label = viaService ? `service, batch ${String(batchSize).padStart(5)}` : 'modeldock score';
      console.log(
        `${label} ${rows.toLocaleString('en-US').padStart(9)} rows: ` +
          `${result.wall.toFixed(2)} s end to end (${result.seconds.toFixed(2)} s scoring, ${result.cpuSeconds.toFixed(2)} s CPU), ` +
          `${Math.round(rows / result.wall).toLocaleString('en-US')} rows/s, peak RSS ${mb(result.maxRssKb)}`,
      );
      if (!viaService && rows === sizes[0]) {
        // The metrics tail (#12): a label column adds exact ROC AUC, log loss, the threshold table and
        // calibration, computed in the workers as rows stream (sorted per worker, merged in linear time).
        const labelled = await measureCli(file, ['--label-column', 'converted']);
        console.log(
          `modeldock score ${rows.toLocaleString('en-US').padStart(9)} rows, --label-column converted: ` +
            `${labelled.wall.toFixed(2)} s end to end (${labelled.seconds.toFixed(2)} s scoring, ${labelled.cpuSeconds.toFixed(2)} s CPU) → ` +
            `with/without label ${(labelled.wall / result.wall).toFixed(2)}× end to end, ` +
            `${(labelled.seconds / result.seconds).toFixed(2)}× scoring, ${(labelled.cpuSeconds / result.cpuSeconds).toFixed(2)}× CPU ` +
            '(target ≤ 1.3×; on a busy machine the CPU ratio is the steady one)',
        );
      }
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
  if (!viaService) {
    // The same rows as CRM exports write them, every field quoted (read by the quoted fast path).
    const rows = sizes[0] ?? 1_000_000;
    const quoted = path.join(workDir, `leads-${rows}-quoted.csv`);
    if (!existsSync(quoted)) await writeLeadCsv(quoted, rows, 7, true);
    const result = await measureCli(quoted);
    console.log(
      `modeldock score ${rows.toLocaleString('en-US').padStart(9)} rows, every field quoted: ` +
        `${result.wall.toFixed(2)} s end to end (${result.seconds.toFixed(2)} s scoring, ${result.cpuSeconds.toFixed(2)} s CPU), peak RSS ${mb(result.maxRssKb)}`,
    );
    const first = path.join(workDir, `leads-${sizes[0]}.csv`);
    const cancels = [];
    for (const after of [300, 700, 1000]) cancels.push(await measureCancel(first, after));
    console.log(
      `Ctrl-C: stopped ${cancels.map((cancel) => `${cancel.ms.toFixed(0)} ms`).join(', ')} after the signal; ` +
        `files left in the output folder: ${cancels.reduce((sum, cancel) => sum + cancel.leftovers, 0)}`,
    );
  }
  console.log(`Load average at the end: ${loadAverage()}`);
  if (!withPython) {
    console.log(
      process.argv.includes('--no-python')
        ? '(pandas + scikit-learn comparison skipped: --no-python)'
        : '(pandas + scikit-learn comparison skipped: /usr/bin/python3 lacks them)',
    );
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] ?? '', Number(process.argv[4] ?? 4096));
} else {
  await main();
}
