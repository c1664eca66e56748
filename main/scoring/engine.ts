import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ScoringCheck } from '../../shared/contract/index.ts';
import { createBatchExplainer, driverCells, driverColumns } from '../analysis/explain-batch.ts';
import { AppError } from '../errors.ts';
import { columnIndexes, unmappedInputs } from './column-mapping.ts';
import { type ReadProgress, readCsvRecords } from './csv-source.ts';
import { ErrorsTarget, ScoredCsvTarget } from './file-targets.ts';
import { type PredictionColumns, predictionColumns } from './output-columns.ts';
import type { OutputTarget, ScoredBatch } from './output-targets.ts';
import { createTargets } from './outputs.ts';
import { ReportAccumulator, type ReportState } from './report-accumulator.ts';
import { type RowError, RowReader, type UnseenCounts } from './row-reader.ts';
import type {
  BatchPredictor,
  BatchReport,
  EngineJob,
  EngineProgress,
  EngineStage,
  InputColumns,
} from './types.ts';

export { errorsHeader } from './file-targets.ts';
export { maxExamplesPerInput } from './row-reader.ts';

export interface EngineHooks {
  predict?: BatchPredictor;
  /** Model B's predictor, in a compare run. */
  predictOther?: BatchPredictor;
  onProgress?: (progress: EngineProgress) => void;
  /** Polled between chunks and batches; the run stops with `cancelled` when it returns true. */
  isCancelled?: () => boolean;
}

/** A check run's counts; unseen categories are counted for every run (EngineResult.unseen). */
export type PartCheck = Omit<ScoringCheck, 'unseenCategories' | 'unseenRows'>;

export interface EngineResult {
  rows: number;
  scored: number;
  failed: number;
  failuresByReason: Record<string, number>;
  /** The first row errors (the errors file has them all). */
  errorSamples: RowError[];
  addedColumns: string[];
  /** Unseen categories per input (every value, or the first 1,000 per worker and a count of the rest). */
  unseen: Record<string, UnseenCounts>;
  report?: BatchReport;
  /** A run over one part of the file (job.part) returns its accumulator to be merged instead. */
  reportState?: ReportState;
  check?: PartCheck;
  /** Each further output's state (outputs.ts), merged by the service. */
  outputs: Record<string, unknown>;
}

/** The file is read in 64 KiB pieces (see file-targets.ts on V8's large-object size). */
const readChunkBytes = 64 * 1024;

/**
 * Streams the CSV once: the row reader turns every record into batch values or row errors; good
 * rows are predicted in batches and go to the output targets (scored CSV, report, and the job's
 * further outputs: compare, drift, profile), bad rows to the errors file with line, column, value
 * and reason. In `check` mode nothing is predicted or written; the pass only counts what the
 * policies would do.
 */
export async function runEngine(job: EngineJob, hooks: EngineHooks = {}): Promise<EngineResult> {
  const run = new EngineRun(job, hooks, await openInput(job));
  try {
    return await run.run();
  } catch (error) {
    run.destroy();
    throw error;
  }
}

interface InputFile {
  fileName: string;
  initial: { size: number; mtimeMs: number; ino: number };
  bytesTotal: number;
}

async function openInput(job: EngineJob): Promise<InputFile> {
  const fileName = path.basename(job.inputPath);
  const initial = await stat(job.inputPath);
  const part = job.part;
  const bytesTotal = part ? part.end - part.start : initial.size;
  if (bytesTotal === 0) throw new AppError('empty-file', `${fileName} is empty.`);
  if (part && (initial.size !== part.file.size || initial.mtimeMs !== part.file.mtimeMs))
    throw changedWhileScoring(fileName, initial.size, part.file.size);
  const missingInputs = unmappedInputs(job.mapping);
  if (missingInputs.length > 0) {
    throw new AppError(
      'mapping-incomplete',
      `No column is chosen for the model input${missingInputs.length > 1 ? 's' : ''} ${missingInputs.join(', ')}.`,
      { inputs: missingInputs },
    );
  }
  return { fileName, initial, bytesTotal };
}

/**
 * The current batch: values per input (row-major for [N,F]) and, per row, its line number, its
 * fast-path text (the line as read, or a quoted line's fields joined) or else its record, and its
 * label cell. A record with a text is not kept: records that die young cost the garbage collector
 * nothing, while thousands held until the batch is predicted are copied at each collection
 * (bench/batch.ts: ~10% of the run).
 */
class Batch {
  columns: InputColumns;
  size = 0;
  lines: number[] = [];
  texts: Array<string | undefined> = [];
  records: Array<string[] | undefined> = [];
  labels: Array<string | undefined> = [];

  constructor(private readonly width: number) {
    this.columns = Array.from({ length: width }, () => []);
  }

  clear(): void {
    this.columns = Array.from({ length: this.width }, () => []);
    this.size = 0;
    this.lines = [];
    this.texts = [];
    this.records = [];
    this.labels = [];
  }
}

/** The state of one run; `run` is the loop, the rest are its steps. */
class EngineRun {
  private readonly progress: ReadProgress = { bytesRead: 0 };
  private readonly started = performance.now();
  private lastProgress = 0;
  private stage: EngineStage = 'reading';
  private rows = 0;
  private scored = 0;
  private ragged = 0;
  private columns: string[] | undefined;
  private reader: RowReader | undefined;
  private labelIndex = -1;
  private prediction: PredictionColumns | undefined;
  private csv: ScoredCsvTarget | undefined;
  private report: ReportAccumulator | undefined;
  private targets: Array<[string, OutputTarget]> = [];
  private recordTargets: OutputTarget[] = [];
  private readonly errors: ErrorsTarget;
  private readonly batch: Batch;
  /** Set when the job explains rows (`score --explain`): each batch's contributions, row by row. */
  private explainer: ReturnType<typeof createBatchExplainer> | undefined;

  constructor(
    private readonly job: EngineJob,
    private readonly hooks: EngineHooks,
    private readonly input: InputFile,
  ) {
    if (job.kind === 'score' && !hooks.predict) throw new Error('runEngine: a score run needs a predictor');
    if (job.outputs?.compare && !hooks.predictOther)
      throw new Error('runEngine: a compare run needs model B');
    this.errors = new ErrorsTarget(job.errorsTempPath, !job.part?.columns);
    this.batch = new Batch(job.mapping.length);
  }

  async run(): Promise<EngineResult> {
    const { job } = this;
    const part = job.part;
    // A later part of the file has no header line: the service passes the columns it read.
    if (part?.columns) await this.setUp(part.columns);
    for await (const chunk of readCsvRecords(job.inputPath, job.dialect, job.limits, this.progress, {
      highWaterMark: readChunkBytes,
      start: part?.start,
      end: part?.end,
      firstLine: part?.firstLine,
    })) {
      this.throwIfCancelled();
      let start = 0;
      if (!this.columns) {
        const first = chunk.records[0] ?? [];
        this.assertColumnCount(first.length);
        if (job.dialect.hasHeader) start = 1;
        await this.setUp(job.dialect.hasHeader ? first : first.map((_, index) => `column_${index + 1}`));
      }
      if (chunk.quoted && this.csv) this.csv.quotedSeen = true;
      for (let r = start; r < chunk.records.length; r++) {
        await this.readRow(chunk.records[r] ?? [], chunk.lines[r] ?? 0, chunk.texts?.[r]);
      }
      await this.errors.flush();
      this.reportProgress(false);
    }
    if (!this.columns) throw new AppError('empty-file', `${this.input.fileName} has no rows.`);
    if (this.rows === 0 && !part) {
      throw new AppError('invalid-csv', `${this.input.fileName} has a header but no data rows.`, {
        columns: this.columns,
      });
    }
    await this.flushBatch();
    this.throwIfCancelled();
    await assertInputUnchanged(job.inputPath, this.input, this.progress.bytesRead);
    return this.finish();
  }

  private async readRow(record: string[], line: number, text: string | undefined): Promise<void> {
    const reader = this.reader;
    if (!reader) throw new Error('runEngine: no reader after set-up');
    this.rows++;
    if ((this.rows & 2047) === 0) this.throwIfCancelled();
    const width = this.columns?.length ?? 0;
    if (record.length !== width) {
      this.ragged++;
      this.errors.add([
        {
          line,
          column: '',
          value: record.join(this.job.dialect.delimiter),
          reason: `has ${record.length} fields; the header has ${width}`,
        },
      ]);
      return;
    }
    for (const target of this.recordTargets) target.record?.(record, line);
    const checking = this.job.kind === 'check';
    const batch = this.batch;
    const rowErrors = reader.read(record, line, batch.columns, !checking);
    if (checking) reader.countCoveredMissing(record);
    if (rowErrors) {
      this.errors.add(rowErrors);
      return;
    }
    if (checking) return;
    batch.lines.push(line);
    batch.texts.push(text);
    batch.records.push(text === undefined ? record : undefined);
    batch.labels.push(this.labelIndex >= 0 ? record[this.labelIndex] : undefined);
    batch.size++;
    if (batch.size >= this.job.batchSize) {
      await this.flushBatch();
      this.throwIfCancelled();
    }
  }

  /** Resolves the mapping against the columns and makes the run's targets. */
  private async setUp(names: string[]): Promise<void> {
    const { job } = this;
    this.columns = names;
    const indexes = columnIndexes(job.mapping, names);
    const unknown = job.mapping
      .filter((_, k) => indexes[k]?.some((index) => index < 0))
      .map((entry) => entry.input);
    if (unknown.length > 0) {
      throw new AppError(
        'mapping-incomplete',
        `The column chosen for ${unknown.join(', ')} is not in ${this.input.fileName}.`,
        { inputs: unknown },
      );
    }
    if (job.labelColumn !== undefined) {
      this.labelIndex = names.indexOf(job.labelColumn);
      if (this.labelIndex < 0) {
        throw new AppError(
          'mapping-incomplete',
          `The label column "${job.labelColumn}" is not in ${this.input.fileName}.`,
        );
      }
    }
    this.reader = new RowReader(job, indexes, names);
    if (job.kind !== 'score') return;
    const prediction = predictionColumns(job.model, names, {
      decimalComma: job.numberFormat === 'decimal-comma' && job.dialect.delimiter !== ',',
      selectThreshold: job.selectThreshold,
    });
    this.prediction = prediction;
    const classes = job.model.classLabels ?? [];
    this.report = new ReportAccumulator({
      scoreName: prediction.scoreName,
      probabilityScale: prediction.probabilityScale,
      // Capacity, gains and the data-following histogram rank the positive class's probability.
      rankScores: job.model.task === 'binary-classification' && job.model.positiveClass !== undefined,
      capacity: job.capacity,
      columns: names,
      label:
        job.labelColumn !== undefined && job.model.positiveClass !== undefined
          ? { column: job.labelColumn, positiveClass: job.model.positiveClass, classLabels: classes }
          : undefined,
    });
    this.targets = createTargets(job.outputs, { job, columns: names, indexes });
    this.recordTargets = this.targets.map(([, target]) => target).filter((target) => target.record);
    if (job.explain && this.hooks.predict) {
      // The mapping's order is the batch columns' order; each entry is one model input.
      const byName = new Map(job.model.inputs.map((input) => [input.name, input]));
      this.explainer = createBatchExplainer({
        inputs: job.mapping.map((entry) => byName.get(entry.input)!),
        model: job.model,
        background: job.explain.background,
        predict: this.hooks.predict,
        shapley: { permutations: job.explain.permutations },
      });
    }
    // The service created the (empty) temp file; it is ours to fill.
    this.csv = new ScoredCsvTarget(job.outputTempPath, job.dialect.delimiter, prediction);
    await this.csv.open(names, !job.part?.columns, this.explainer ? driverColumns() : []);
  }

  private assertColumnCount(count: number): void {
    const max = this.job.limits.maxColumns;
    if (count > max) {
      throw new AppError(
        'invalid-csv',
        `${this.input.fileName} has ${count.toLocaleString('en-US')} columns; ModelDock reads files with at most ${max.toLocaleString('en-US')} columns.`,
        { columns: count },
      );
    }
  }

  private async flushBatch(): Promise<void> {
    const { batch, hooks, prediction, report } = this;
    if (batch.size === 0) return;
    if (hooks.predict && prediction && report) {
      const [predictions, other] = await Promise.all([
        hooks.predict(batch.columns, batch.size),
        hooks.predictOther?.(batch.columns, batch.size),
      ]);
      let contributions: Float64Array[] | undefined;
      if (this.explainer) {
        if (this.stage !== 'explaining') this.setStage('explaining');
        contributions = await this.explainer(batch.columns, batch.size, predictions);
        this.throwIfCancelled();
      }
      const names = this.job.mapping.map((entry) => entry.input);
      await this.csv?.write(
        batch,
        predictions,
        contributions ? (row) => driverCells(names, contributions![row]!) : undefined,
      );
      const cellsOf = (row: number): readonly string[] =>
        batch.records[row] ?? batch.texts[row]?.split(this.job.dialect.delimiter) ?? [];
      for (let row = 0; row < batch.size; row++) {
        report.add(
          prediction.score(predictions, row),
          batch.lines[row] ?? 0,
          batch.labels[row],
          cellsOf,
          row,
        );
      }
      if (this.targets.length > 0) {
        const scored: ScoredBatch = {
          size: batch.size,
          lines: batch.lines,
          columns: batch.columns,
          predictions,
          other,
          labels: this.labelIndex >= 0 ? batch.labels : undefined,
          score: (row) => prediction.score(predictions, row),
          contributions,
        };
        for (const [, target] of this.targets) target.scored?.(scored);
      }
      this.scored += batch.size;
    }
    batch.clear();
  }

  private async finish(): Promise<EngineResult> {
    const { job } = this;
    // Every byte is read: the rest (sorting the scores for the metrics, the outputs' states) is a
    // stage of its own, so the bar does not sit at 100 % saying "Scoring".
    this.setStage('metrics');
    const outputs: Record<string, unknown> = {};
    for (const [name, target] of this.targets) outputs[name] = target.finish();
    const reportState = this.report?.state(); // sorts the scores for the metrics, here in the worker
    this.throwIfCancelled();
    await Promise.all([this.csv?.close(), this.errors.close()]);
    const reader = this.reader;
    const result: EngineResult = {
      rows: this.rows,
      scored: this.scored,
      failed: this.errors.failedRows,
      failuresByReason: this.errors.byReason,
      errorSamples: this.errors.samples,
      addedColumns: [...(this.prediction?.names ?? []), ...(this.explainer ? driverColumns() : [])],
      unseen: reader?.unseenCounts() ?? {},
      outputs,
    };
    if (reportState && job.part) result.reportState = reportState;
    else if (reportState) result.report = ReportAccumulator.fromState(reportState).finish(job.threshold);
    if (job.kind === 'check')
      result.check = {
        rows: this.rows,
        inputs: reader?.checks ?? [],
        failingRows: this.errors.failedRows,
        raggedRows: this.ragged,
      };
    return result;
  }

  private setStage(stage: EngineStage): void {
    this.stage = stage;
    this.reportProgress(true);
  }

  private reportProgress(force: boolean): void {
    const { hooks } = this;
    const now = performance.now();
    if (!hooks.onProgress || (!force && now - this.lastProgress < this.job.progressIntervalMs)) return;
    this.lastProgress = now;
    const seconds = (now - this.started) / 1000;
    const bytesDone = this.progress.bytesRead;
    const bytesTotal = this.input.bytesTotal;
    const bytesPerSecond = bytesDone / Math.max(seconds, 1e-3);
    hooks.onProgress({
      stage: this.stage,
      rows: this.rows,
      bytesDone,
      bytesTotal,
      rowsPerSecond: this.rows / Math.max(seconds, 1e-3),
      etaSeconds: bytesPerSecond > 0 ? Math.max(0, (bytesTotal - bytesDone) / bytesPerSecond) : 0,
    });
  }

  private throwIfCancelled(): void {
    if (this.hooks.isCancelled?.())
      throw new AppError('cancelled', 'Scoring was cancelled; no output file was written.');
  }

  destroy(): void {
    this.csv?.destroy();
    this.errors.destroy();
  }
}

function changedWhileScoring(fileName: string, now: number, was: number): AppError {
  return new AppError(
    'io-error',
    `${fileName} changed while it was being scored (it is now ${now.toLocaleString('en-US')} bytes, was ${was.toLocaleString('en-US')}); no output was written.`,
  );
}

/**
 * A file truncated or deleted while it was read yields a plausible-looking prefix; the run only
 * counts if every byte that was there at the start was read and the file is still there, unchanged.
 */
async function assertInputUnchanged(filePath: string, input: InputFile, bytesRead: number): Promise<void> {
  let now: { size: number; mtimeMs: number; ino: number };
  try {
    now = await stat(filePath);
  } catch {
    throw new AppError(
      'io-error',
      `${input.fileName} was deleted or moved while it was being scored; no output was written.`,
    );
  }
  const { initial } = input;
  if (
    bytesRead !== input.bytesTotal ||
    now.size !== initial.size ||
    now.ino !== initial.ino ||
    now.mtimeMs !== initial.mtimeMs
  ) {
    throw changedWhileScoring(input.fileName, now.size, initial.size);
  }
}
