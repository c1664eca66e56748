// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { randomBytes } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { access, open, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { ResourceLimits, Worker } from 'node:worker_threads';
import type {
  ColumnMapping,
  CsvDialect,
  CsvInspection,
  DriftReport,
  MissingPolicy,
  ModelInfo,
  NumberFormat,
  ScoringCheck,
  ScoringSummary,
} from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { type AppLog, silentLog } from '../logging/app-log.ts';
import type { LoadedModel } from '../models/model-service.ts';
import { startWorker } from '../workers/start-worker.ts';
import {
  proposeMapping,
  resolveMissingPolicies,
  suggestLabelColumn,
  unmappedInputs,
} from './column-mapping.ts';
import {
  assertLooksLikeText,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  detectHeader,
  sampleBytes,
} from './csv-detect.ts';
import { readCsvRecords } from './csv-source.ts';
import { type EngineResult, errorsHeader, maxExamplesPerInput } from './engine.ts';
import { type FileSplit, findSplit } from './parallel-split.ts';
import { ReportAccumulator } from './report-accumulator.ts';
import { renderReportHtml } from './report-html.ts';
import type { JobMessage, WorkerInput, WorkerMessage } from './score-worker.ts';
import { removeStalePartials } from './stale-partials.ts';
import {
  defaultReadLimits,
  type EngineJob,
  type EngineProgress,
  type ModelShape,
  type ReadLimits,
} from './types.ts';

export interface ScoringSetupInput {
  modelId: string;
  path: string;
  dialect?: Partial<CsvDialect>;
  mapping?: ColumnMapping;
  missing?: Record<string, MissingPolicy>;
  numberFormat: NumberFormat;
}

export interface ScoreRequest extends ScoringSetupInput {
  outputPath: string;
  overwrite: boolean;
  labelColumn?: string;
  threshold: number;
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (progress: EngineProgress) => void;
}

export interface ScoringServiceOptions {
  limits?: ReadLimits;
  /**
   * Rows per session.run. 4,096 measured best with the sample model (`npm run bench:batch --
   * --batch-sizes 1024,4096,8192,32768`): 1,024 pays onnxruntime's per-call cost too often (+15% CPU),
   * 32,768 holds more rows at once (+120 MB peak RSS) and was slower; 8,192 was no faster than 4,096.
   */
  batchSize?: number;
  progressIntervalMs?: number;
  /** After asking the worker to stop, how long to wait before terminating it outright. */
  cancelGraceMs?: number;
  /**
   * Files at least this big are scored by two workers, one per half, when a safe cut exists
   * (parallel-split.ts) and the machine has two cores. Infinity keeps one worker.
   */
  parallelMinBytes?: number;
  /**
   * Old-generation heap of each worker when two run (default 48 MB). A worker that runs out of it
   * (a very wide file, very long lines) makes the run start over with one worker without the limit.
   */
  parallelHeapMb?: number;
  /** The process's logger (createAppServices); silent by default. */
  log?: AppLog;
}

/**
 * Below this, a second worker's start (~0.2 s: thread, model session) costs more than it saves:
 * with the sample model one worker scores 4 MB in about 0.1 s.
 */
const defaultParallelMinBytes = 4 * 1024 * 1024;

const previewRows = 20;

/** Batch CSV scoring: inspection and preview in-process, the full pass (check or score) in a worker thread. */
export class ScoringService {
  private readonly limits: ReadLimits;
  private readonly batchSize: number;
  private readonly progressIntervalMs: number;
  private readonly cancelGraceMs: number;
  private readonly parallelMinBytes: number;
  private readonly parallelHeapMb: number;
  private readonly log: AppLog;

  constructor(
    private readonly models: { get(modelId: string): LoadedModel },
    options: ScoringServiceOptions = {},
  ) {
    this.limits = options.limits ?? defaultReadLimits;
    this.batchSize = options.batchSize ?? 4096;
    this.progressIntervalMs = options.progressIntervalMs ?? 100; // at most 10 progress events a second
    this.cancelGraceMs = options.cancelGraceMs ?? 100;
    this.parallelHeapMb = options.parallelHeapMb ?? 48;
    this.log = options.log ?? silentLog;
    this.parallelMinBytes =
      options.parallelMinBytes ?? (os.availableParallelism() >= 2 ? defaultParallelMinBytes : Infinity);
  }

  /** Detects the dialect (overrides win), reads the first rows and proposes the column mapping. */
  async inspect(setup: ScoringSetupInput): Promise<CsvInspection> {
    const model = this.models.get(setup.modelId).info;
    const filePath = path.resolve(setup.path);
    const fileName = path.basename(filePath);
    const size = await fileSize(filePath);
    const handle = await open(filePath, 'r');
    let sample: Uint8Array;
    try {
      const buffer = Buffer.alloc(Math.min(sampleBytes, size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      sample = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
    const detectedEncoding = detectEncoding(sample, sample.length === size);
    const encoding = setup.dialect?.encoding ?? detectedEncoding;
    const text = decodeSample(sample, encoding);
    assertLooksLikeText(text, fileName);
    const quote = setup.dialect?.quote ?? '"';
    const detectedDelimiter = detectDelimiter(text, quote === 'none' ? '' : quote);
    const delimiter = setup.dialect?.delimiter ?? detectedDelimiter;
    const partial = { encoding, delimiter, quote, hasHeader: true };
    const rows: string[][] = [];
    for await (const chunk of readCsvRecords(filePath, partial, this.limits, undefined, {
      highWaterMark: 64 * 1024,
    })) {
      const first = chunk.records[0];
      if (rows.length === 0 && first && first.length > this.limits.maxColumns) {
        throw new AppError(
          'invalid-csv',
          `${fileName} has ${first.length.toLocaleString('en-US')} columns; ModelDock reads files with at most ${this.limits.maxColumns.toLocaleString('en-US')} columns.`,
          { columns: first.length },
        );
      }
      rows.push(...chunk.records.slice(0, previewRows + 1 - rows.length));
      if (rows.length > previewRows) break;
    }
    if (rows.length === 0) throw new AppError('empty-file', `${fileName} has no rows.`);
    const detected: CsvDialect = {
      encoding: detectedEncoding,
      delimiter: detectedDelimiter,
      quote: '"',
      hasHeader: detectHeader(rows[0] ?? []),
    };
    const dialect: CsvDialect = { ...detected, ...definedOnly(setup.dialect ?? {}) };
    const header = rows[0] ?? [];
    const columns = dialect.hasHeader ? header : header.map((_, index) => `column_${index + 1}`);
    const mapping = proposeMapping(model.inputs, columns, setup.mapping);
    const mapped = new Set(mapping.flatMap((entry) => entry.columns.filter((column) => column !== null)));
    return {
      path: filePath,
      sizeBytes: size,
      detected,
      dialect,
      columns,
      preview: dialect.hasHeader ? rows.slice(1) : rows.slice(0, previewRows),
      mapping,
      unmappedInputs: unmappedInputs(mapping),
      suggestedLabelColumn: suggestLabelColumn(columns, mapped),
    };
  }

  /** Counts, over the whole file, the rows the missing-value policy and number format affect. */
  async check(setup: ScoringSetupInput, options: RunOptions = {}): Promise<ScoringCheck> {
    const { job, inspection } = await this.prepareJob(setup, 'check');
    const { results } = await this.runOverFile(job, inspection, undefined, options);
    const check = mergeChecks(results);
    if (check.rows === 0) throw noDataRows(job.inputPath, inspection.columns);
    return check;
  }

  /**
   * Runs a job over the whole file: on two workers, one per half, when the file is big enough and can
   * be cut safely (parallel-split.ts), else on one. The workers start loading the model while this
   * thread looks for the cut, and wait for their jobs. `files` creates each part's output files and
   * removes them again when two workers run out of memory and one starts over without their limit.
   */
  private async runOverFile(
    job: EngineJob,
    inspection: { sizeBytes: number; columns: string[] },
    modelBytes: Uint8Array | undefined,
    options: RunOptions,
    files?: { create(jobs: EngineJob[]): Promise<void>; discard(): Promise<void> },
  ): Promise<{ jobs: EngineJob[]; results: EngineResult[] }> {
    const parallel = inspection.sizeBytes >= this.parallelMinBytes;
    let workers: StartedWorkers | undefined = this.startWorkers(parallel ? 2 : 1, modelBytes);
    try {
      // A file it can't scan is read by one worker, which reports what is wrong with it.
      const split = parallel
        ? await findSplit(job.inputPath, inspection.sizeBytes, job.dialect).catch(() => undefined)
        : undefined;
      let jobs = [job];
      if (split) jobs = splitJob(job, split, inspection.sizeBytes, inspection.columns);
      else if (parallel) {
        // No safe cut: one worker, started with one worker's memory limits.
        workers.stop();
        workers = this.startWorkers(1, modelBytes);
      }
      await files?.create(jobs);
      const running = workers;
      workers = undefined; // runWorkers owns them now
      try {
        return { jobs, results: await this.runWorkers(jobs, running, options) };
      } catch (error) {
        if (jobs.length === 1 || !isOutOfMemory(error) || options.signal?.aborted) throw error;
        // Two workers didn't fit in their heaps (parallelHeapMb); one worker has no such limit.
        await files?.discard();
        jobs = [job];
        await files?.create(jobs);
        this.log.warn('two batch workers ran out of memory; starting again with one');
        return { jobs, results: await this.runWorkers(jobs, this.startWorkers(1, modelBytes), options) };
      }
    } finally {
      workers?.stop(); // started, but the run failed before they got their jobs
    }
  }

  async score(request: ScoreRequest, options: RunOptions = {}): Promise<ScoringSummary> {
    const { job, loaded, inspection } = await this.prepareJob(request, 'score');
    const inputPath = job.inputPath;
    const outputPath = path.resolve(request.outputPath);
    const errorsPath = errorsPathFor(outputPath);
    await assertOutputAllowed(inputPath, outputPath, errorsPath, request.overwrite);
    await removeStalePartials(outputPath, errorsPath);
    const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.partial`;
    job.outputTempPath = path.join(path.dirname(outputPath), `.${path.basename(outputPath)}.${suffix}`);
    job.errorsTempPath = path.join(path.dirname(errorsPath), `.${path.basename(errorsPath)}.${suffix}`);
    job.labelColumn = request.labelColumn;
    job.threshold = request.threshold;
    const started = performance.now();
    let result: EngineResult;
    // The second part's files (parallel-split.ts), appended to the first part's before the rename.
    const partTemps = [`${job.outputTempPath}.2`, `${job.errorsTempPath}.2`];
    const temps = [job.outputTempPath, job.errorsTempPath, ...partTemps];
    try {
      const { jobs, results } = await this.runOverFile(job, inspection, loaded.servedModelBytes, options, {
        // Created here, in this thread, so a folder we can't write to is reported before the run starts.
        async create(parts) {
          for (const part of parts)
            if (part.outputTempPath) await writeFile(part.outputTempPath, '', { flag: 'wx' });
        },
        async discard() {
          await Promise.all(temps.map((temp) => rm(temp, { force: true })));
        },
      });
      result = mergeResults(results, job.threshold);
      if (result.rows === 0) throw noDataRows(inputPath, inspection.columns);
      await joinParts(jobs, results);
      await rename(job.outputTempPath, outputPath);
      if (result.failed > 0) await rename(job.errorsTempPath, errorsPath);
      else await rm(errorsPath, { force: true }); // a stale errors file from an earlier run would mislead
    } catch (error) {
      await Promise.all(temps.map((temp) => rm(temp, { force: true })));
      throw describeWriteError(error, outputPath);
    } finally {
      // The later part's files have been appended to the first part's (or the run failed).
      await Promise.all(partTemps.map((temp) => rm(temp, { force: true })));
    }
    const seconds = (performance.now() - started) / 1000;
    const summary: ScoringSummary = {
      rows: result.rows,
      scored: result.scored,
      failed: result.failed,
      seconds,
      rowsPerSecond: result.rows / Math.max(seconds, 1e-6),
      outputPath,
      addedColumns: result.addedColumns,
      failuresByReason: result.failuresByReason,
      dialect: job.dialect,
      report: result.report ?? { scoreName: '', histogram: [], topRows: { columns: [], rows: [] } },
    };
    if (result.failed > 0) summary.errorsPath = errorsPath;
    return summary;
  }

  async saveReport(request: {
    path: string;
    summary: ScoringSummary;
    modelName: string;
    threshold?: number;
    overwrite: boolean;
    drift?: DriftReport;
  }): Promise<{ path: string; bytes: number }> {
    const target = path.resolve(request.path);
    if (!request.overwrite && (await exists(target))) {
      throw new AppError('output-exists', `${path.basename(target)} already exists; confirm to replace it.`, {
        path: target,
      });
    }
    const html = renderReportHtml(request.summary, {
      modelName: request.modelName,
      threshold: request.threshold,
      drift: request.drift,
    });
    const temp = `${target}.${randomBytes(4).toString('hex')}.partial`;
    try {
      await writeFile(temp, html, { flag: 'wx' });
      await rename(temp, target);
    } catch (error) {
      await rm(temp, { force: true });
      throw describeWriteError(error, target);
    }
    return { path: target, bytes: Buffer.byteLength(html) };
  }

  private async prepareJob(setup: ScoringSetupInput, kind: EngineJob['kind']) {
    const loaded = this.models.get(setup.modelId);
    const inspection = await this.inspect(setup);
    if (inspection.unmappedInputs.length > 0) {
      const names = inspection.unmappedInputs;
      throw new AppError(
        'mapping-incomplete',
        `No column of ${path.basename(inspection.path)} matches the model input${names.length > 1 ? 's' : ''} ${names.join(', ')}; choose ${names.length > 1 ? 'columns' : 'a column'} for ${names.length > 1 ? 'them' : 'it'}.`,
        { inputs: names, columns: inspection.columns },
      );
    }
    const job: EngineJob = {
      kind,
      inputPath: inspection.path,
      dialect: inspection.dialect,
      mapping: inspection.mapping,
      missing: resolveMissingPolicies(loaded.info.inputs, inspection.mapping, setup.missing),
      numberFormat: setup.numberFormat,
      model: modelShape(loaded.info),
      threshold: 0.5,
      batchSize: this.batchSize,
      limits: this.limits,
      progressIntervalMs: this.progressIntervalMs,
    };
    return { job, loaded, inspection };
  }

  /** Spawns `count` workers that load the model now and wait for their jobs (runWorkers). */
  private startWorkers(count: number, modelBytes: Uint8Array | undefined): StartedWorkers {
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const limits = workerLimits(count, this.parallelHeapMb);
    let stopped = false;
    const workers = Promise.resolve().then(() =>
      stopped
        ? []
        : Array.from({ length: count }, () => {
            const worker = startWorker('score-worker', {
              workerData: { modelBytes, cancelFlag } satisfies WorkerInput,
              resourceLimits: limits,
            });
            // Until runWorkers listens, an 'error' event without a listener would throw in this thread.
            worker.once('error', (error) => earlyErrors.set(worker, error));
            return worker;
          }),
    );
    return {
      workers,
      cancelFlag,
      stop() {
        stopped = true;
        void workers.then((list) => {
          for (const worker of list) void worker.terminate();
        });
      },
    };
  }

  /**
   * Gives each started worker its job, all stopped by one cancel flag, and resolves with their results in job
   * order. Progress is summed over the workers. When one fails, the error a single worker would have
   * reported wins: the first part's error stops the later parts at once; a later part's error waits
   * for the earlier parts, whose own error (earlier in the file) then comes first.
   */
  private async runWorkers(
    jobs: EngineJob[],
    started: StartedWorkers,
    options: RunOptions,
  ): Promise<EngineResult[]> {
    const { cancelFlag } = started;
    const workers = await started.workers;
    if (workers.length !== jobs.length) throw new Error('runWorkers: one worker per job');
    jobs.forEach((job, index) => {
      workers[index]?.postMessage({ type: 'job', job } satisfies JobMessage);
    });
    const latest: Array<EngineProgress | undefined> = jobs.map(() => undefined);
    const bytesTotal = jobs.reduce((sum, job) => sum + (job.part ? job.part.end - job.part.start : 0), 0);
    let lastProgress = 0;
    const onProgress = (index: number, progress: EngineProgress) => {
      if (!options.onProgress) return;
      if (jobs.length === 1) {
        options.onProgress(progress);
        return;
      }
      latest[index] = progress;
      const parts = latest.filter((entry) => entry !== undefined);
      const combined: EngineProgress = {
        rows: parts.reduce((sum, entry) => sum + entry.rows, 0),
        bytesDone: parts.reduce((sum, entry) => sum + entry.bytesDone, 0),
        bytesTotal,
        rowsPerSecond: parts.reduce((sum, entry) => sum + entry.rowsPerSecond, 0),
        etaSeconds: Math.max(...parts.map((entry) => entry.etaSeconds)),
      };
      const now = performance.now();
      if (combined.bytesDone < bytesTotal && now - lastProgress < this.progressIntervalMs) return;
      lastProgress = now;
      options.onProgress(combined);
    };
    let killTimer: NodeJS.Timeout | undefined;
    const stopAll = () => {
      Atomics.store(cancelFlag, 0, 1);
      // The engine checks the flag between chunks and batches; if it is stuck in one long step, stop the thread.
      killTimer ??= setTimeout(() => {
        for (const worker of workers) void worker.terminate();
      }, this.cancelGraceMs);
    };
    const onAbort = () => stopAll();
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });
    const runs = workers.map((worker, index) =>
      workerResult(worker, options.signal, (progress) => onProgress(index, progress)).catch(
        (error: unknown) => {
          // An error in the first part, or a lack of memory, decides the run: the others stop now.
          if (index === 0 || isOutOfMemory(error)) stopAll();
          throw error;
        },
      ),
    );
    try {
      const settled = await Promise.allSettled(runs);
      const failures = settled.flatMap((entry) => (entry.status === 'rejected' ? [entry.reason] : []));
      if (failures.length > 0) throw failures.find(isOutOfMemory) ?? failures[0];
      return settled.map((entry) => (entry as PromiseFulfilledResult<EngineResult>).value);
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
      if (killTimer) clearTimeout(killTimer);
    }
  }
}

/** Workers spawned for a run, loading the model until each gets its job (runWorkers). */
interface StartedWorkers {
  workers: Promise<Worker[]>;
  /** [0] becomes 1 to cancel: shared by the workers of one run. */
  cancelFlag: Int32Array;
  /** Terminates workers that won't get a job. */
  stop(): void;
}

/** A worker's error from before runWorkers listened to it. */
const earlyErrors = new WeakMap<Worker, Error>();

/** The result a worker posts, or its error; a worker that exits without either was terminated. */
function workerResult(
  worker: Worker,
  signal: AbortSignal | undefined,
  onProgress: (progress: EngineProgress) => void,
): Promise<EngineResult> {
  return new Promise<EngineResult>((resolve, reject) => {
    let settled = false;
    const finish = (action: () => void) => {
      if (settled) return;
      settled = true;
      action();
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'progress') onProgress(message.progress);
      else if (message.type === 'done') finish(() => resolve(message.result));
      else
        finish(() =>
          reject(
            message.stack === undefined
              ? new AppError(message.error.code, message.error.message, message.error.details)
              : // An unexpected failure in the worker: rethrown here as one, with the worker's stack, so the
                // handler table logs it like any other.
                Object.assign(new Error(`The scoring worker failed: ${message.error.message}`), {
                  stack: message.stack,
                }),
          ),
        );
    });
    worker.on('error', (error) => finish(() => reject(error)));
    worker.on('exit', (code) => {
      finish(() =>
        signal?.aborted
          ? reject(new AppError('cancelled', 'Scoring was cancelled; no output file was written.'))
          : reject(
              earlyErrors.get(worker) ??
                new Error(`The scoring worker stopped unexpectedly (exit code ${code}).`),
            ),
      );
    });
  });
}

/** The job for each half: the first reads the header; the second gets the columns and its own temp files. */
function splitJob(job: EngineJob, split: FileSplit, size: number, columns: string[]): EngineJob[] {
  const file = { size, mtimeMs: split.mtimeMs };
  const first: EngineJob = { ...job, part: { start: 0, end: split.at, firstLine: 1, file } };
  const second: EngineJob = {
    ...job,
    // A check run writes no files.
    outputTempPath: job.outputTempPath && `${job.outputTempPath}.2`,
    errorsTempPath: job.errorsTempPath && `${job.errorsTempPath}.2`,
    part: {
      start: split.at,
      end: size,
      firstLine: split.line,
      rowDelimiter: split.rowDelimiter,
      columns,
      file,
    },
  };
  return [first, second];
}

/** One result for the whole file from the parts' results, in file order. */
function mergeResults(results: EngineResult[], threshold: number): EngineResult {
  const [first] = results;
  if (!first) throw new Error('no worker results');
  if (results.length === 1) return first;
  const merged: EngineResult = {
    rows: 0,
    scored: 0,
    failed: 0,
    failuresByReason: {},
    addedColumns: first.addedColumns,
  };
  let report: ReportAccumulator | undefined;
  for (const result of results) {
    merged.rows += result.rows;
    merged.scored += result.scored;
    merged.failed += result.failed;
    for (const [reason, count] of Object.entries(result.failuresByReason)) {
      merged.failuresByReason[reason] = (merged.failuresByReason[reason] ?? 0) + count;
    }
    if (result.reportState) {
      if (report) report.merge(result.reportState);
      else report = ReportAccumulator.fromState(result.reportState);
    }
  }
  if (report) merged.report = report.finish(threshold);
  return merged;
}

/** The counts of a check over the whole file from its parts' counts, examples kept in file order. */
function mergeChecks(results: EngineResult[]): ScoringCheck {
  const checks = results.map((result) => {
    if (!result.check) throw new Error('check run returned no counts');
    return result.check;
  });
  const [first, ...later] = checks;
  if (!first) throw new Error('no worker results');
  return later.reduce(
    (merged, next) => ({
      rows: merged.rows + next.rows,
      failingRows: merged.failingRows + next.failingRows,
      raggedRows: merged.raggedRows + next.raggedRows,
      inputs: merged.inputs.map((input, k) => {
        const other = next.inputs[k];
        if (!other) return input;
        return {
          ...input,
          missingRows: input.missingRows + other.missingRows,
          invalidRows: input.invalidRows + other.invalidRows,
          examples: [...input.examples, ...other.examples].slice(0, maxExamplesPerInput),
        };
      }),
    }),
    first,
  );
}

function noDataRows(inputPath: string, columns: string[]): AppError {
  return new AppError('invalid-csv', `${path.basename(inputPath)} has a header but no data rows.`, {
    columns,
  });
}

/** Appends the later parts' output and errors to the first part's files, in file order. */
async function joinParts(jobs: EngineJob[], results: EngineResult[]): Promise<void> {
  const [first] = jobs;
  if (!first?.outputTempPath || !first.errorsTempPath) return;
  let errorsStarted = (results[0]?.failed ?? 0) > 0;
  for (let index = 1; index < jobs.length; index++) {
    const part = jobs[index];
    if (!part?.outputTempPath || !part.errorsTempPath) continue;
    await appendFile(first.outputTempPath, part.outputTempPath);
    if ((results[index]?.failed ?? 0) === 0) continue;
    if (!errorsStarted) await writeFile(first.errorsTempPath, errorsHeader, { flag: 'wx' });
    errorsStarted = true;
    await appendFile(first.errorsTempPath, part.errorsTempPath);
  }
}

async function appendFile(target: string, source: string): Promise<void> {
  await pipeline(
    createReadStream(source, { highWaterMark: 1024 * 1024 }),
    createWriteStream(target, { flags: 'a' }),
  );
}

/**
 * One worker: a young generation of 32 MB (V8's default is smaller), as the parser makes millions of
 * short-lived strings; measured with bench/batch.ts, 16 MB cost ~25% more CPU in garbage collection,
 * 96 MB added ~30 MB of peak RSS for no further gain. Two workers (1M rows, sample model): with the
 * same limits peak RSS went from ~220 MB to ~290 MB, as V8 lets each old generation grow; 16 MB
 * young and an old generation capped at `heapMb` (48) gave ~237 MB for ~5% more CPU time; 8 MB young
 * saved another ~15 MB for ~25% more CPU, and a 32 MB old-generation cap doubled the time in GC.
 */
function workerLimits(workers: number, heapMb: number): ResourceLimits {
  if (workers === 1) return { maxYoungGenerationSizeMb: 32 };
  return { maxYoungGenerationSizeMb: 16, maxOldGenerationSizeMb: heapMb };
}

function isOutOfMemory(error: unknown): boolean {
  return (error as { code?: unknown } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
}

function modelShape(info: ModelInfo): ModelShape {
  return {
    task: info.task,
    inputs: info.inputs,
    outputs: info.outputs,
    classLabels: info.classLabels,
    positiveClass: info.positiveClass,
  };
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}

/** leads-scored.csv → leads-scored.errors.csv, next to the output. */
export function errorsPathFor(outputPath: string): string {
  const extension = path.extname(outputPath);
  const base = extension ? outputPath.slice(0, -extension.length) : outputPath;
  return `${base}.errors.csv`;
}

async function fileSize(filePath: string): Promise<number> {
  const fileName = path.basename(filePath);
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(filePath);
  } catch {
    throw new AppError('file-not-found', `${fileName} was not found.`, { path: filePath });
  }
  if (!info.isFile()) throw new AppError('not-a-file', `${fileName} is not a file.`, { path: filePath });
  if (info.size === 0) throw new AppError('empty-file', `${fileName} is empty.`, { path: filePath });
  return info.size;
}

async function exists(filePath: string): Promise<boolean> {
  try {
    await stat(filePath);
    return true;
  } catch {
    return false;
  }
}

/** Same path after resolving symlinks, or the same file through a hard link. */
async function sameFile(a: string, b: string): Promise<boolean> {
  const real = async (p: string) => {
    try {
      return await realpath(p);
    } catch {
      try {
        return path.join(await realpath(path.dirname(p)), path.basename(p));
      } catch {
        return path.resolve(p);
      }
    }
  };
  if ((await real(a)) === (await real(b))) return true;
  try {
    const [sa, sb] = await Promise.all([stat(a), stat(b)]);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

async function assertOutputAllowed(
  inputPath: string,
  outputPath: string,
  errorsPath: string,
  overwrite: boolean,
) {
  if ((await sameFile(inputPath, outputPath)) || (await sameFile(inputPath, errorsPath))) {
    throw new AppError(
      'output-is-input',
      `The output would replace the input file ${path.basename(inputPath)}; choose another output file.`,
      { path: outputPath },
    );
  }
  if (!overwrite) {
    for (const target of [outputPath, errorsPath]) {
      if (await exists(target)) {
        throw new AppError(
          'output-exists',
          `${path.basename(target)} already exists; confirm to replace it (--force on the command line).`,
          { path: target },
        );
      }
    }
  }
  const folder = path.dirname(outputPath);
  try {
    const info = await stat(folder);
    if (!info.isDirectory()) throw new Error('not a directory');
    await access(folder, constants.W_OK);
  } catch {
    throw new AppError(
      'io-error',
      `ModelDock can't write to the folder ${folder}; choose another output location.`,
      {
        path: folder,
      },
    );
  }
}

function describeWriteError(error: unknown, outputPath: string): unknown {
  const code = (error as { code?: unknown }).code;
  const folder = path.dirname(outputPath);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new AppError(
      'io-error',
      `ModelDock can't write to the folder ${folder}; choose another output location.`,
      {
        path: folder,
      },
    );
  }
  if (code === 'ENOSPC')
    return new AppError('disk-full', `The disk holding ${folder} is full; no output was written.`);
  return error;
}
