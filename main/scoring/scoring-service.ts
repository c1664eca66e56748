import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, open, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type {
  ColumnMapping,
  CsvDialect,
  CsvInspection,
  MissingPolicy,
  ModelInfo,
  NumberFormat,
  ScoringCheck,
  ScoringSummary,
} from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import type { LoadedModel } from '../models/model-service.ts';
import { builtWorkerUrl } from '../worker-url.ts';
import { proposeMapping, suggestLabelColumn, unmappedInputs } from './column-mapping.ts';
import {
  assertLooksLikeText,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  detectHeader,
  sampleBytes,
} from './csv-detect.ts';
import { readCsvRecords } from './csv-source.ts';
import type { EngineResult } from './engine.ts';
import { renderReportHtml } from './report-html.ts';
import type { WorkerInput, WorkerMessage } from './score-worker.ts';
import {
  defaultReadLimits,
  type EngineJob,
  type EngineProgress,
  type ModelShape,
  type ReadLimits,
} from './types.ts';
import { bundledWorkerScript } from './worker-bundle.ts';

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
}

const previewRows = 20;

/** Batch CSV scoring: inspection and preview in-process, the full pass (check or score) in a worker thread. */
export class ScoringService {
  private readonly limits: ReadLimits;
  private readonly batchSize: number;
  private readonly progressIntervalMs: number;
  private readonly cancelGraceMs: number;

  constructor(
    private readonly models: { get(modelId: string): LoadedModel },
    options: ScoringServiceOptions = {},
  ) {
    this.limits = options.limits ?? defaultReadLimits;
    this.batchSize = options.batchSize ?? 4096;
    this.progressIntervalMs = options.progressIntervalMs ?? 100; // at most 10 progress events a second
    this.cancelGraceMs = options.cancelGraceMs ?? 100;
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
    const { job } = await this.prepareJob(setup, 'check');
    const result = await this.runWorker(job, undefined, options);
    if (!result.check) throw new Error('check run returned no counts');
    return result.check;
  }

  async score(request: ScoreRequest, options: RunOptions = {}): Promise<ScoringSummary> {
    const { job, loaded } = await this.prepareJob(request, 'score');
    const inputPath = job.inputPath;
    const outputPath = path.resolve(request.outputPath);
    const errorsPath = errorsPathFor(outputPath);
    await assertOutputAllowed(inputPath, outputPath, errorsPath, request.overwrite);
    const suffix = `${process.pid}-${randomBytes(4).toString('hex')}.partial`;
    job.outputTempPath = path.join(path.dirname(outputPath), `.${path.basename(outputPath)}.${suffix}`);
    job.errorsTempPath = path.join(path.dirname(errorsPath), `.${path.basename(errorsPath)}.${suffix}`);
    job.labelColumn = request.labelColumn;
    job.threshold = request.threshold;
    const started = performance.now();
    let result: EngineResult;
    try {
      // Created here, in this thread, so a folder we can't write to is reported before the run starts.
      await writeFile(job.outputTempPath, '', { flag: 'wx' });
      result = await this.runWorker(job, loaded.servedModelBytes, options);
      await rename(job.outputTempPath, outputPath);
      if (result.failed > 0) await rename(job.errorsTempPath, errorsPath);
      else await rm(errorsPath, { force: true }); // a stale errors file from an earlier run would mislead
    } catch (error) {
      await Promise.all([rm(job.outputTempPath, { force: true }), rm(job.errorsTempPath, { force: true })]);
      throw describeWriteError(error, outputPath);
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
    void bundledWorkerScript(); // starts loading (or building) the worker while the file is inspected
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
      missing: setup.missing ?? {},
      numberFormat: setup.numberFormat,
      model: modelShape(loaded.info),
      threshold: 0.5,
      batchSize: this.batchSize,
      limits: this.limits,
      progressIntervalMs: this.progressIntervalMs,
    };
    return { job, loaded };
  }

  private async runWorker(
    job: EngineJob,
    modelBytes: Uint8Array | undefined,
    options: RunOptions,
  ): Promise<EngineResult> {
    const cancelFlag = new Int32Array(new SharedArrayBuffer(4));
    const workerInput: WorkerInput = { job, modelBytes, cancelFlag };
    const worker = spawnScoreWorker(workerInput, await bundledWorkerScript());
    return new Promise<EngineResult>((resolve, reject) => {
      let settled = false;
      let killTimer: NodeJS.Timeout | undefined;
      const finish = (action: () => void) => {
        if (settled) return;
        settled = true;
        options.signal?.removeEventListener('abort', onAbort);
        if (killTimer) clearTimeout(killTimer);
        action();
      };
      const onAbort = () => {
        Atomics.store(cancelFlag, 0, 1);
        // The engine checks the flag between chunks and batches; if it is stuck in one long step, stop the thread.
        killTimer = setTimeout(() => {
          void worker.terminate();
        }, this.cancelGraceMs);
      };
      if (options.signal?.aborted) onAbort();
      else options.signal?.addEventListener('abort', onAbort, { once: true });
      worker.on('message', (message: WorkerMessage) => {
        if (message.type === 'progress') options.onProgress?.(message.progress);
        else if (message.type === 'done') finish(() => resolve(message.result));
        else
          finish(() =>
            reject(new AppError(message.error.code, message.error.message, message.error.details)),
          );
      });
      worker.on('error', (error) => finish(() => reject(error)));
      worker.on('exit', (code) => {
        finish(() =>
          options.signal?.aborted
            ? reject(new AppError('cancelled', 'Scoring was cancelled; no output file was written.'))
            : reject(new Error(`The scoring worker stopped unexpectedly (exit code ${code}).`)),
        );
      });
    });
  }
}

/**
 * In the Electron app the worker is score-worker.cjs, built beside main.cjs (worker-url.ts): the app
 * ships no TypeScript loader. From the sources it runs the pre-bundled script when esbuild could build
 * it (worker-bundle.ts); otherwise its entry is a small .mjs file that registers tsx and imports
 * score-worker.ts, which starts the same way under tsx, vitest and bin/modeldock.mjs. A worker can't
 * inherit the parent's loader, and Node 20 ignores `--import` in a Worker's execArgv.
 */
function spawnScoreWorker(workerData: WorkerInput, script: string | undefined): Worker {
  // A young generation of 32 MB (V8's default is smaller): the parser makes millions of short-lived
  // strings; measured with bench/batch.ts, 16 MB cost ~25% more CPU in garbage collection, 96 MB
  // added ~30 MB of peak RSS for no further gain.
  const options = { workerData, resourceLimits: { maxYoungGenerationSizeMb: 32 } };
  const built = builtWorkerUrl('score-worker');
  if (built !== undefined) return new Worker(built, options);
  if (script !== undefined) return new Worker(script, { ...options, eval: true });
  return new Worker(new URL('./score-worker.mjs', import.meta.url), options);
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
