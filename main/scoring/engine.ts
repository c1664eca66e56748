import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { InputCheck, ScoringCheck } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { createCellReader, readCell } from './cell-values.ts';
import { columnIndexes, unmappedInputs } from './column-mapping.ts';
import { type ReadProgress, readCsvRecords } from './csv-source.ts';
import { createRowFormatter, createSourceRowFormatter } from './csv-writer.ts';
import { predictionColumns } from './output-columns.ts';
import { ReportAccumulator, type ReportState } from './report-accumulator.ts';
import type { BatchPredictor, BatchReport, EngineJob, EngineProgress, InputColumns } from './types.ts';

export interface EngineHooks {
  predict?: BatchPredictor;
  onProgress?: (progress: EngineProgress) => void;
  /** Polled between chunks and batches; the run stops with `cancelled` when it returns true. */
  isCancelled?: () => boolean;
}

export interface EngineResult {
  rows: number;
  scored: number;
  failed: number;
  failuresByReason: Record<string, number>;
  addedColumns: string[];
  report?: BatchReport;
  /** A run over one part of the file (job.part) returns its accumulator to be merged instead. */
  reportState?: ReportState;
  check?: ScoringCheck;
}

/** The errors file's first line; a later part's errors file has none (the parts are concatenated). */
export const errorsHeader = 'line,column,value,reason\n';

interface RowError {
  line: number;
  column: string;
  value: string;
  reason: string;
}

/** Invalid cells shown per input by a check run. */
export const maxExamplesPerInput = 5;
/**
 * Output goes to the file in pieces of about this many characters, and the file is read in 64 KiB
 * pieces: strings over V8's large-object size (128 KiB) live outside the young generation until a
 * full garbage collection, which raised peak RSS by ~25 MB (bench/batch.ts).
 */
const outputPieceChars = 32 * 1024;
const readChunkBytes = 64 * 1024;
const maxErrorValueChars = 200;

/**
 * Streams the CSV once: every record is checked against the mapping and the missing-value policy;
 * good rows are collected into batches for the model and written with their predictions, bad rows
 * go to the errors file with line, column, value and reason. In `check` mode nothing is predicted or
 * written; the pass only counts what the policies would do.
 */
export async function runEngine(job: EngineJob, hooks: EngineHooks = {}): Promise<EngineResult> {
  const fileName = path.basename(job.inputPath);
  const started = performance.now();
  const initial = await stat(job.inputPath);
  const part = job.part;
  const bytesTotal = part ? part.end - part.start : initial.size;
  if (bytesTotal === 0) throw new AppError('empty-file', `${fileName} is empty.`);
  if (part && (initial.size !== part.file.size || initial.mtimeMs !== part.file.mtimeMs)) {
    throw new AppError(
      'io-error',
      `${fileName} changed while it was being scored (it is now ${initial.size.toLocaleString('en-US')} bytes, was ${part.file.size.toLocaleString('en-US')}); no output was written.`,
    );
  }
  const missingInputs = unmappedInputs(job.mapping);
  if (missingInputs.length > 0) {
    throw new AppError(
      'mapping-incomplete',
      `No column is chosen for the model input${missingInputs.length > 1 ? 's' : ''} ${missingInputs.join(', ')}.`,
      { inputs: missingInputs },
    );
  }
  if (job.kind === 'score' && !hooks.predict) throw new Error('runEngine: a score run needs a predictor');

  const progress: ReadProgress = { bytesRead: 0 };
  const failuresByReason: Record<string, number> = {};
  const checks: InputCheck[] = job.mapping.map((entry) => ({
    input: entry.input,
    policy: job.missing[entry.input] ?? { mode: 'fail' },
    missingRows: 0,
    invalidRows: 0,
    examples: [],
  }));
  let rows = 0;
  let scored = 0;
  let failed = 0;
  let ragged = 0;
  let columns: string[] | undefined;
  let indexes: number[][] = [];
  let labelIndex = -1;
  let output: WriteStream | undefined;
  let errors: WriteStream | undefined;
  const delimiter = job.dialect.delimiter;
  const formatOutput = createRowFormatter(delimiter);
  const formatSource = createSourceRowFormatter(delimiter);
  const formatError = createRowFormatter(',');
  let prediction: ReturnType<typeof predictionColumns> | undefined;
  let report: ReportAccumulator | undefined;
  let lastProgress = 0;
  const inputs = job.model.inputs;
  const modelInputs = job.mapping.map(
    (entry) =>
      inputs.find((input) => input.name === entry.input) ?? {
        kind: 'string' as const,
        type: 'string' as const,
      },
  );
  const policies = job.mapping.map((entry) => job.missing[entry.input] ?? { mode: 'fail' as const });
  const stringInput = { kind: 'string', type: 'string' } as const;
  const failPolicy = { mode: 'fail' } as const;
  const marks = new Int32Array(job.mapping.length);
  const readers = modelInputs.map((input) => createCellReader(input, job.numberFormat));

  // The current batch: values per input (row-major for [N,F]) and, per row, its line number, its
  // fast-path text (the line as read, or a quoted line's fields joined; chunk.texts) or else its
  // record, and its label cell. A record with a text is not kept:
  // records that die young cost the garbage collector nothing, while thousands held until the batch
  // is predicted are copied at each collection (bench/batch.ts: ~10% of the run).
  let batchColumns: InputColumns = job.mapping.map(() => []);
  let batchSize = 0;
  let batchLines: number[] = [];
  let batchTexts: Array<string | undefined> = [];
  let batchRecords: Array<string[] | undefined> = [];
  let batchLabels: Array<string | undefined> = [];
  const cellsOfBatchRow = (row: number): readonly string[] =>
    batchRecords[row] ?? batchTexts[row]?.split(delimiter) ?? [];
  // Sticky: once the file has shown a quote character, every record is formatted cell by cell.
  let quotedSeen = false;
  let errorChunk = '';

  const fail = (rowErrors: RowError[]) => {
    failed++;
    for (const error of rowErrors) {
      const reasonKey = error.column === '' ? 'wrong number of fields' : `${error.column} ${error.reason}`;
      failuresByReason[reasonKey] = (failuresByReason[reasonKey] ?? 0) + 1;
      errorChunk += `${formatError([String(error.line), error.column, error.value.slice(0, maxErrorValueChars), error.reason])}\n`;
    }
  };

  const write = async (stream: WriteStream | undefined, text: string) => {
    if (!stream || text.length === 0) return;
    if (!stream.write(text)) await drained(stream);
  };

  const flushBatch = async () => {
    if (batchSize === 0) return;
    if (hooks.predict && prediction && report) {
      const predictions = await hooks.predict(batchColumns, batchSize);
      let text = '';
      for (let row = 0; row < batchSize; row++) {
        const added = prediction.text(predictions, row, formatOutput, delimiter);
        const line = batchTexts[row];
        const source =
          line === undefined
            ? formatSource.record(batchRecords[row] ?? [], quotedSeen)
            : formatSource.line(line);
        text += `${source}${delimiter}${added}\n`;
        if (text.length >= outputPieceChars) {
          output?.write(text);
          text = '';
        }
        report.add(
          prediction.score(predictions, row),
          batchLines[row] ?? 0,
          batchLabels[row],
          cellsOfBatchRow,
          row,
        );
      }
      scored += batchSize;
      await write(output, text);
    }
    batchColumns = job.mapping.map(() => []);
    batchSize = 0;
    batchLines = [];
    batchTexts = [];
    batchRecords = [];
    batchLabels = [];
  };

  const reportProgress = (force: boolean) => {
    const now = performance.now();
    if (!hooks.onProgress || (!force && now - lastProgress < job.progressIntervalMs)) return;
    lastProgress = now;
    const seconds = (now - started) / 1000;
    const bytesPerSecond = progress.bytesRead / Math.max(seconds, 1e-3);
    hooks.onProgress({
      rows,
      bytesDone: progress.bytesRead,
      bytesTotal,
      rowsPerSecond: rows / Math.max(seconds, 1e-3),
      etaSeconds: bytesPerSecond > 0 ? Math.max(0, (bytesTotal - progress.bytesRead) / bytesPerSecond) : 0,
    });
  };

  const throwIfCancelled = () => {
    if (hooks.isCancelled?.())
      throw new AppError('cancelled', 'Scoring was cancelled; no output file was written.');
  };

  /** Resolves the mapping against the columns and opens the output (with its header line, unless a later part). */
  const setUp = async (names: string[]) => {
    columns = names;
    indexes = columnIndexes(job.mapping, names);
    const unknown = job.mapping
      .filter((_, k) => indexes[k]?.some((index) => index < 0))
      .map((entry) => entry.input);
    if (unknown.length > 0) {
      throw new AppError(
        'mapping-incomplete',
        `The column chosen for ${unknown.join(', ')} is not in ${fileName}.`,
        {
          inputs: unknown,
        },
      );
    }
    if (job.labelColumn !== undefined) {
      labelIndex = names.indexOf(job.labelColumn);
      if (labelIndex < 0) {
        throw new AppError(
          'mapping-incomplete',
          `The label column "${job.labelColumn}" is not in ${fileName}.`,
        );
      }
    }
    if (job.kind === 'score') {
      prediction = predictionColumns(job.model, names);
      const classes = job.model.classLabels ?? [];
      report = new ReportAccumulator({
        scoreName: prediction.scoreName,
        probabilityScale: prediction.probabilityScale,
        columns,
        label:
          job.labelColumn !== undefined && job.model.positiveClass !== undefined
            ? { column: job.labelColumn, positiveClass: job.model.positiveClass, classLabels: classes }
            : undefined,
      });
      // The service created the (empty) temp file; it is ours to fill.
      if (job.outputTempPath) output = createWriteStream(job.outputTempPath, { flags: 'w' });
      if (output) await once(output, 'open');
      if (!part?.columns) await write(output, `${formatOutput(names.concat(prediction.names))}\n`);
    }
  };

  try {
    // A later part of the file has no header line: the service passes the columns it read.
    if (part?.columns) await setUp(part.columns);
    for await (const chunk of readCsvRecords(job.inputPath, job.dialect, job.limits, progress, {
      highWaterMark: readChunkBytes,
      start: part?.start,
      end: part?.end,
      firstLine: part?.firstLine,
      rowDelimiter: part?.rowDelimiter,
    })) {
      throwIfCancelled();
      let start = 0;
      if (!columns) {
        const first = chunk.records[0] ?? [];
        if (first.length > job.limits.maxColumns) {
          throw new AppError(
            'invalid-csv',
            `${fileName} has ${first.length.toLocaleString('en-US')} columns; ModelDock reads files with at most ${job.limits.maxColumns.toLocaleString('en-US')} columns.`,
            { columns: first.length },
          );
        }
        if (job.dialect.hasHeader) start = 1;
        await setUp(job.dialect.hasHeader ? first : first.map((_, index) => `column_${index + 1}`));
      }
      if (!columns) throw new Error('runEngine: no columns after set-up');
      const width = columns.length;
      if (chunk.quoted) quotedSeen = true;
      for (let r = start; r < chunk.records.length; r++) {
        const record = chunk.records[r] ?? [];
        const line = chunk.lines[r] ?? 0;
        rows++;
        if ((rows & 2047) === 0) throwIfCancelled();
        if (record.length !== width) {
          ragged++;
          fail([
            {
              line,
              column: '',
              value: record.join(job.dialect.delimiter),
              reason: `has ${record.length} fields; the header has ${width}`,
            },
          ]);
          continue;
        }
        let rowErrors: RowError[] | undefined;
        // Values go straight into the batch columns; a row that fails is cut off again (no per-row arrays).
        for (let k = 0; k < indexes.length; k++) marks[k] = batchColumns[k]?.length ?? 0;
        for (let k = 0; k < indexes.length; k++) {
          const slots = indexes[k] ?? [];
          const target = batchColumns[k] ?? [];
          const input = modelInputs[k] ?? stringInput;
          const policy = policies[k] ?? failPolicy;
          const read = readers[k];
          for (const index of slots) {
            const cell = record[index] ?? '';
            const value = read?.(cell);
            if (value !== undefined) {
              target.push(value);
              continue;
            }
            const result = readCell(cell, input, policy, job.numberFormat);
            if (result.ok) {
              target.push(result.value);
              continue;
            }
            const check = checks[k];
            if (check) {
              if (result.missing) check.missingRows++;
              else {
                check.invalidRows++;
                if (check.examples.length < maxExamplesPerInput)
                  check.examples.push({ line, value: cell, reason: result.reason });
              }
            }
            rowErrors ??= [];
            rowErrors.push({ line, column: columns[index] ?? '', value: cell, reason: result.reason });
          }
        }
        if (rowErrors || job.kind === 'check') {
          for (let k = 0; k < indexes.length; k++) {
            const target = batchColumns[k];
            if (target) target.length = marks[k] ?? 0;
          }
        }
        if (job.kind === 'check') {
          // The check counts empty cells even where a fill value is used or the value is left out, so the UI can show how many rows the policy touches.
          for (let k = 0; k < indexes.length; k++) {
            const policy = policies[k];
            if (
              policy !== undefined &&
              policy.mode !== 'fail' &&
              (indexes[k] ?? []).some((index) => (record[index] ?? '').trim() === '')
            ) {
              const check = checks[k];
              if (check) check.missingRows++;
            }
          }
        }
        if (rowErrors) {
          fail(rowErrors);
          continue;
        }
        if (job.kind === 'score') {
          const text = chunk.texts?.[r];
          batchLines.push(line);
          batchTexts.push(text);
          batchRecords.push(text === undefined ? record : undefined);
          batchLabels.push(labelIndex >= 0 ? record[labelIndex] : undefined);
          batchSize++;
          if (batchSize >= job.batchSize) {
            await flushBatch();
            throwIfCancelled();
          }
        }
      }
      if (errorChunk.length > 0 && job.errorsTempPath) {
        if (!errors) {
          errors = createWriteStream(job.errorsTempPath, { flags: 'wx' });
          await once(errors, 'open');
          if (!part?.columns) await write(errors, errorsHeader);
        }
        await write(errors, errorChunk);
      }
      errorChunk = '';
      reportProgress(false);
    }
    if (!columns) throw new AppError('empty-file', `${fileName} has no rows.`);
    if (rows === 0 && !part) {
      throw new AppError('invalid-csv', `${fileName} has a header but no data rows.`, { columns });
    }
    await flushBatch();
    throwIfCancelled();
    await assertInputUnchanged(job.inputPath, fileName, initial, progress.bytesRead, bytesTotal);
    await Promise.all([closeStream(output), closeStream(errors)]);
    reportProgress(true);
  } catch (error) {
    // Writes still queued fail with ERR_STREAM_DESTROYED; that is expected here, not a second error.
    for (const stream of [output, errors]) {
      stream?.on('error', () => undefined);
      stream?.destroy();
    }
    throw error;
  }

  const result: EngineResult = {
    rows,
    scored,
    failed,
    failuresByReason,
    addedColumns: prediction?.names ?? [],
  };
  if (report && part) result.reportState = report.state();
  else if (report) result.report = report.finish(job.threshold);
  if (job.kind === 'check') result.check = { rows, inputs: checks, failingRows: failed, raggedRows: ragged };
  return result;
}

/** Waits for 'drain', or rejects on 'error', without leaving listeners behind. */
function drained(stream: WriteStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const onDrain = () => {
      stream.off('error', onError);
      resolve();
    };
    const onError = (error: Error) => {
      stream.off('drain', onDrain);
      reject(error);
    };
    stream.once('drain', onDrain);
    stream.once('error', onError);
  });
}

async function closeStream(stream: WriteStream | undefined): Promise<void> {
  if (!stream) return;
  stream.end();
  await Promise.race([once(stream, 'close'), once(stream, 'error').then(([error]) => Promise.reject(error))]);
}

/**
 * A file truncated or deleted while it was read yields a plausible-looking prefix; the run only
 * counts if every byte that was there at the start was read and the file is still there, unchanged.
 */
async function assertInputUnchanged(
  filePath: string,
  fileName: string,
  initial: { size: number; mtimeMs: number; ino: number },
  bytesRead: number,
  bytesExpected: number,
): Promise<void> {
  let now: { size: number; mtimeMs: number; ino: number };
  try {
    now = await stat(filePath);
  } catch {
    throw new AppError(
      'io-error',
      `${fileName} was deleted or moved while it was being scored; no output was written.`,
    );
  }
  if (
    bytesRead !== bytesExpected ||
    now.size !== initial.size ||
    now.ino !== initial.ino ||
    now.mtimeMs !== initial.mtimeMs
  ) {
    throw new AppError(
      'io-error',
      `${fileName} changed while it was being scored (it is now ${now.size.toLocaleString('en-US')} bytes, was ${initial.size.toLocaleString('en-US')}); no output was written.`,
    );
  }
}
