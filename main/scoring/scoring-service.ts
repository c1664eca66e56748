import { rename, rm, writeFile } from 'node:fs/promises';
import { ResultRows } from './result-rows.ts';
import { WrittenOutputs } from './written-outputs.ts';
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import os from 'node:os';
import path from 'node:path';
import type {
  ColumnMapping,
  CompareCsvResult,
  CsvDialect,
  CsvInspection,
  DriftReport,
  MissingPolicy,
  NumberFormat,
  ResultRowsPage,
  ResultRowsRequest,
  RunRecord,
  ScoringCheck,
  ScoringSummary,
  UnseenCategoriesPolicy,
} from '../../shared/contract/index.ts';
import type { BackgroundRows } from '../analysis/background.ts';
import { assertCompatible } from '../analysis/compare.ts';
import type { ReferenceProfile } from '../analysis/drift.ts';
import { explainCost } from '../analysis/explain-batch.ts';
import { AppError } from '../errors.ts';
import { removeStaleStaged, stagedPath, writeFileStaged } from '../files/staged-write.ts';
import { type AppLog, silentLog } from '../logging/app-log.ts';
import type { LoadedModel } from '../models/model-service.ts';
import type { EngineResult } from './engine.ts';
import { inspectCsv } from './inspection.ts';
import { defaultBatchSize, engineJobFor, modelShape } from './job.ts';
import { assertOutputAllowed, describeWriteError, errorsPathFor, exists } from './output-paths.ts';
import type { EngineOutputs, OutputResults } from './outputs.ts';
import { findSplit } from './parallel-split.ts';
import { joinParts, mergeChecks, mergeResults, splitJob } from './parts.ts';
import { renderReportHtml } from './report-html.ts';
import { topUnseen, unseenRowTotals } from './row-reader.ts';
import {
  defaultReadLimits,
  type EngineJob,
  type EngineProgress,
  type EngineStage,
  type ReadLimits,
} from './types.ts';
import {
  isOutOfMemory,
  type PoolOptions,
  type RunOptions,
  runWorkers,
  type StartedWorkers,
  startWorkers,
  type WorkerModels,
} from './worker-pool.ts';

export { errorsPathFor } from './output-paths.ts';
export type { RunOptions } from './worker-pool.ts';

export interface ScoringSetupInput {
  modelId: string;
  path: string;
  dialect?: Partial<CsvDialect>;
  mapping?: ColumnMapping;
  missing?: Record<string, MissingPolicy>;
  /** Unset: the format the file's numeric cells show (inspection.ts detectNumberFormat). */
  numberFormat?: NumberFormat;
  unseenCategories?: UnseenCategoriesPolicy;
}

export interface ScoreRequest extends ScoringSetupInput {
  outputPath: string;
  overwrite: boolean;
  labelColumn?: string;
  threshold: number;
  /** Drift against this reference profile, computed in the same pass (summary.drift). */
  reference?: ReferenceProfile;
  /** The exact capacity selection in the report (report.selection). */
  capacity?: EngineJob['capacity'];
  /** Adds a `selected` 0/1 column for scores ≥ this. */
  selectThreshold?: number;
  /** Explain every scored row against these background rows (summary.explanations, driver columns). */
  explain?: { background: BackgroundRows; permutations?: number };
}

export interface CompareRequest extends ScoringSetupInput {
  modelIdB: string;
  threshold: number;
  /** Judge both models against this column: the result gets `decisions` (DeLong and the rest). */
  labelColumn?: string;
  /** How the verdict names the models (default: their file names). */
  nameA?: string;
  nameB?: string;
}

export interface ScoringServiceOptions {
  limits?: ReadLimits;
  /** Rows per session.run (job.ts defaultBatchSize). */
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
  /**
   * Output files of earlier launches the results table may read: the library's recorded runs
   * (createAppServices). Outputs written by this service are known without it.
   */
  earlierOutputs?: () => Promise<Iterable<string>>;
}

/**
 * Below this, a second worker's start (~0.2 s: thread, model session) costs more than it saves:
 * with the sample model one worker scores 4 MB in about 0.1 s.
 */
const defaultParallelMinBytes = 4 * 1024 * 1024;

/** The temp files of one run: created before it starts, renamed when it succeeds, removed otherwise. */
interface RunFiles {
  create(jobs: EngineJob[]): Promise<void>;
  discard(): Promise<void>;
}

/**
 * Every pass over a CSV: the pre-run check, Batch scoring, Compare, Drift and reference profiles.
 * Inspection runs in-process; the pass itself runs in one or two worker threads (worker-pool.ts),
 * each reading its part of the file with the one reader and computing every output in that pass.
 */
export class ScoringService {
  private readonly limits: ReadLimits;
  /** The results table's index of the latest output it was asked about (result-rows.ts). */
  private readonly results: ResultRows;
  /** The outputs this app wrote: the only files the results table reads. */
  private readonly outputs: WrittenOutputs;
  private readonly batchSize: number;
  private readonly progressIntervalMs: number;
  private readonly parallelMinBytes: number;
  private readonly pool: PoolOptions;
  private readonly log: AppLog;

  constructor(
    private readonly models: { get(modelId: string): LoadedModel },
    options: ScoringServiceOptions = {},
  ) {
    this.limits = options.limits ?? defaultReadLimits;
    this.results = new ResultRows(this.limits);
    this.outputs = new WrittenOutputs(options.earlierOutputs);
    this.batchSize = options.batchSize ?? defaultBatchSize;
    this.progressIntervalMs = options.progressIntervalMs ?? 100; // at most 10 progress events a second
    this.log = options.log ?? silentLog;
    this.pool = {
      progressIntervalMs: this.progressIntervalMs,
      cancelGraceMs: options.cancelGraceMs ?? 100,
      parallelHeapMb: options.parallelHeapMb ?? 48,
    };
    this.parallelMinBytes =
      options.parallelMinBytes ?? (os.availableParallelism() >= 2 ? defaultParallelMinBytes : Infinity);
  }

  /** Detects the dialect and number format (overrides win), reads the first rows and proposes the mapping. */
  async inspect(setup: ScoringSetupInput): Promise<CsvInspection> {
    return inspectCsv(this.models.get(setup.modelId).info, setup, this.limits);
  }

  /** Counts, over the whole file, the rows the missing-value policy, number format and categories affect. */
  async check(setup: ScoringSetupInput, options: RunOptions = {}): Promise<ScoringCheck> {
    const { job, inspection } = await this.prepareJob(setup, 'check');
    const { results } = await this.runOverFile(job, inspection, {}, options);
    const check = mergeChecks(results);
    if (check.rows === 0) throw noDataRows(job.inputPath, inspection.columns);
    const unseen = mergeResults(job, results).unseen;
    return { ...check, unseenCategories: topUnseen(unseen), unseenRows: unseenRowTotals(unseen) };
  }

  /**
   * A page of a run's output for the results table, sorted and filtered over the whole file. Only
   * an output this app wrote is read (written-outputs.ts); any other path is refused.
   */
  async rows(request: ResultRowsRequest): Promise<ResultRowsPage> {
    return this.results.page({ ...request, path: await this.outputs.resolve(request.path) });
  }

  async score(request: ScoreRequest, given: RunOptions = {}): Promise<ScoringSummary> {
    const options = this.tracked(given);
    const { job, loaded, inspection } = await this.prepareJob(request, 'score');
    const inputPath = job.inputPath;
    const outputPath = path.resolve(request.outputPath);
    const errorsPath = errorsPathFor(outputPath);
    await assertOutputAllowed(inputPath, outputPath, errorsPath, request.overwrite);
    await removeStaleStaged(outputPath, errorsPath);
    job.outputTempPath = stagedPath(outputPath);
    job.errorsTempPath = stagedPath(errorsPath);
    job.labelColumn = request.labelColumn;
    job.threshold = request.threshold;
    if (request.capacity) job.capacity = request.capacity;
    if (request.selectThreshold !== undefined) job.selectThreshold = request.selectThreshold;
    if (request.reference) job.outputs = { drift: { profile: request.reference } };
    if (request.explain) {
      job.explain = {
        background: request.explain.background.rows,
        permutations: request.explain.permutations,
      };
      job.outputs = { ...job.outputs, explain: { inputs: job.mapping.map((entry) => entry.input) } };
    }
    const started = performance.now();
    // The second part's files (parallel-split.ts), appended to the first part's before the rename.
    const partTemps = [`${job.outputTempPath}.2`, `${job.errorsTempPath}.2`];
    const temps = [job.outputTempPath, job.errorsTempPath, ...partTemps];
    let result: ReturnType<typeof mergeResults>;
    try {
      const { jobs, results } = await this.runOverFile(
        job,
        inspection,
        { modelBytes: loaded.servedModelBytes },
        options,
        {
          // Created here, in this thread, so a folder we can't write to is reported before the run starts.
          async create(parts) {
            for (const part of parts)
              if (part.outputTempPath) await writeFile(part.outputTempPath, '', { flag: 'wx' });
          },
          async discard() {
            await Promise.all(temps.map((temp) => rm(temp, { force: true })));
          },
        },
      );
      result = mergeResults(job, results);
      throwIfCancelled(options.signal);
      if (result.rows === 0) throw noDataRows(inputPath, inspection.columns);
      this.stage(options, 'writing');
      await joinParts(jobs, results);
      throwIfCancelled(options.signal);
      await rename(job.outputTempPath, outputPath);
      await this.outputs.add(outputPath);
      if (result.failed > 0) {
        await rename(job.errorsTempPath, errorsPath);
        await this.outputs.add(errorsPath);
      } else await rm(errorsPath, { force: true }); // a stale errors file from an earlier run would mislead
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
      numberFormat: job.numberFormat,
      report: result.report ?? { scoreName: '', histogram: [], topRows: { columns: [], rows: [] } },
      unseenCategories: topUnseen(result.unseen),
      unseenRows: unseenRowTotals(result.unseen),
    };
    if (result.merged.drift) summary.drift = result.merged.drift;
    if (request.explain) {
      const cost = explainCost(
        job.model.inputs.length,
        request.explain.background.rows.length,
        1,
        request.explain.permutations,
      );
      summary.explanations = {
        method: cost.method,
        background: request.explain.background.summary,
        modelRowsPerRow: cost.modelRowsPerRow,
        ...(result.merged.explain ?? {
          inputs: job.mapping.map((entry) => entry.input),
          meanAbsolute: [],
          byDecile: [],
          rows: 0,
        }),
      };
    }
    if (result.failed > 0) summary.errorsPath = errorsPath;
    return summary;
  }

  /**
   * The same file through two models that read the same inputs, read once with Batch's settings:
   * model B predicts each batch beside model A, in the same worker (no output file).
   */
  async compare(request: CompareRequest, options: RunOptions = {}): Promise<CompareCsvResult> {
    const modelB = this.models.get(request.modelIdB);
    const infoA = this.models.get(request.modelId).info;
    assertCompatible(infoA, modelB.info);
    const started = performance.now();
    const label =
      request.labelColumn !== undefined && infoA.positiveClass !== undefined
        ? {
            column: request.labelColumn,
            positiveClass: infoA.positiveClass,
            classLabels: infoA.classLabels ?? [],
            nameA: request.nameA ?? infoA.file.fileName,
            nameB: request.nameB ?? modelB.info.file.fileName,
          }
        : undefined;
    const { result, figures } = await this.pass(
      request,
      { compare: { threshold: request.threshold, modelB: modelShape(modelB.info), label } },
      options,
      modelB.servedModelBytes,
      label?.column,
    );
    const compare = figures.compare;
    if (!compare) throw new Error('compare: the run returned no comparison');
    return {
      rows: result.rows,
      failed: result.failed,
      errors: result.errorSamples.map((error) => ({
        row: error.line,
        message: error.column === '' ? `the row ${error.reason}` : `${error.column} ${error.reason}`,
      })),
      failuresByReason: result.failuresByReason,
      unseenCategories: topUnseen(result.unseen),
      ...compare,
      seconds: (performance.now() - started) / 1000,
    };
  }

  /** PSI of a whole file against a reference profile: the same pass as a batch run with that reference. */
  async drift(
    setup: ScoringSetupInput,
    profile: ReferenceProfile,
    options: RunOptions = {},
  ): Promise<DriftReport> {
    const { figures } = await this.pass(setup, { drift: { profile } }, options);
    if (!figures.drift) throw new Error('drift: the run returned no report');
    return figures.drift;
  }

  /** A reference profile of a file (per-input deciles or category counts, the model's score deciles). */
  async profile(setup: ScoringSetupInput, options: RunOptions = {}): Promise<ReferenceProfile> {
    const { figures } = await this.pass(setup, { profile: {} }, options);
    if (!figures.profile) throw new Error('profile: the run returned no profile');
    return figures.profile;
  }

  /**
   * A scoring pass that writes no file and returns its counts and further outputs (Compare, Drift,
   * profiles; with none, only the counts: what bench/library.ts takes as "scoring once").
   */
  async pass(
    setup: ScoringSetupInput,
    outputs: EngineOutputs,
    options: RunOptions,
    otherModelBytes?: Uint8Array,
    /** A column whose cells the outputs read as labels (Compare's `decisions`). */
    labelColumn?: string,
  ): Promise<{ result: EngineResult; figures: OutputResults }> {
    const { job, loaded, inspection } = await this.prepareJob(setup, 'score');
    job.outputs = outputs;
    if (labelColumn !== undefined) job.labelColumn = labelColumn;
    const { results } = await this.runOverFile(
      job,
      inspection,
      { modelBytes: loaded.servedModelBytes, otherModelBytes },
      options,
    );
    const result = mergeResults(job, results);
    throwIfCancelled(options.signal);
    if (result.rows === 0) throw noDataRows(job.inputPath, inspection.columns);
    return { result, figures: result.merged };
  }

  async saveReport(request: {
    path: string;
    summary: ScoringSummary;
    modelName: string;
    threshold?: number;
    overwrite: boolean;
    drift?: DriftReport;
    /** The run as the history keeps it (checksums, settings): the report's audit section. */
    audit?: RunRecord;
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
      drift: request.drift ?? request.summary.drift,
      audit: request.audit,
    });
    try {
      await writeFileStaged(target, html);
    } catch (error) {
      throw describeWriteError(error, target);
    }
    return { path: target, bytes: Buffer.byteLength(html) };
  }

  /** A stage after the workers' pass (joining the parts, renaming): the figures stay the pass's last. */
  private stage(options: RunOptions, stage: EngineStage): void {
    const last = this.lastProgress.get(options);
    if (last && last.stage !== stage) options.onProgress?.({ ...last, stage, etaSeconds: 0 });
  }

  /** The last progress each run reported, for the stages after the workers'. */
  private readonly lastProgress = new WeakMap<RunOptions, EngineProgress>();

  /** The run's options with its progress remembered (stage()). */
  private tracked(options: RunOptions): RunOptions {
    const { onProgress } = options;
    if (!onProgress) return options;
    const tracked: RunOptions = {
      ...options,
      onProgress: (progress) => {
        this.lastProgress.set(tracked, progress);
        onProgress(progress);
      },
    };
    return tracked;
  }

  private async prepareJob(setup: ScoringSetupInput, kind: EngineJob['kind']) {
    const loaded = this.models.get(setup.modelId);
    const inspection = await this.inspect(setup);
    const job = engineJobFor(kind, modelShape(loaded.info), inspection, setup, {
      batchSize: this.batchSize,
      limits: this.limits,
      progressIntervalMs: this.progressIntervalMs,
    });
    return { job, loaded, inspection };
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
    models: WorkerModels,
    options: RunOptions,
    files?: RunFiles,
  ): Promise<{ jobs: EngineJob[]; results: EngineResult[] }> {
    const parallel = inspection.sizeBytes >= this.parallelMinBytes;
    let workers: StartedWorkers | undefined = startWorkers(parallel ? 2 : 1, models, this.pool);
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
        workers = startWorkers(1, models, this.pool);
      }
      await files?.create(jobs);
      const running = workers;
      workers = undefined; // runWorkers owns them now
      try {
        return { jobs, results: await runWorkers(jobs, running, options, this.pool) };
      } catch (error) {
        if (jobs.length === 1 || !isOutOfMemory(error) || options.signal?.aborted) throw error;
        // Two workers didn't fit in their heaps (parallelHeapMb); one worker has no such limit.
        await files?.discard();
        jobs = [job];
        await files?.create(jobs);
        this.log.warn('two batch workers ran out of memory; starting again with one');
        return {
          jobs,
          results: await runWorkers(jobs, startWorkers(1, models, this.pool), options, this.pool),
        };
      }
    } finally {
      workers?.stop(); // started, but the run failed before they got their jobs
    }
  }
}

function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('cancelled', 'Scoring was cancelled; no output file was written.');
}

function noDataRows(inputPath: string, columns: string[]): AppError {
  return new AppError('invalid-csv', `${path.basename(inputPath)} has a header but no data rows.`, {
    columns,
  });
}
