import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createRowFormatter, createSourceRowFormatter } from './csv-writer.ts';
import type { PredictionColumns } from './output-columns.ts';
import type { RowError } from './row-reader.ts';
import type { BatchPredictions } from './types.ts';

/** The errors file's first line; a later part's errors file has none (the parts are concatenated). */
export const errorsHeader = 'line,column,value,reason\n';

/**
 * Output goes to the file in pieces of about this many characters: strings over V8's large-object
 * size (128 KiB) live outside the young generation until a full garbage collection, which raised
 * peak RSS by ~25 MB (bench/batch.ts).
 */
const outputPieceChars = 32 * 1024;
const maxErrorValueChars = 200;
/** Row errors a run keeps in memory for the caller (Compare shows them; the errors file has them all). */
export const maxErrorSamples = 100;

/** The rows of one batch as the scored CSV needs them: each row's text as read, or its record. */
export interface SourceRows {
  size: number;
  texts: ReadonlyArray<string | undefined>;
  records: ReadonlyArray<readonly string[] | undefined>;
}

/** The scored CSV: every scored row as read, plus the prediction columns, in the file's dialect. */
export class ScoredCsvTarget {
  private stream: WriteStream | undefined;
  private readonly formatOutput: (cells: readonly string[]) => string;
  private readonly formatSource: ReturnType<typeof createSourceRowFormatter>;
  /** Sticky: once the file has shown a quote character, every record is formatted cell by cell. */
  quotedSeen = false;

  constructor(
    private readonly tempPath: string | undefined,
    private readonly delimiter: string,
    private readonly prediction: PredictionColumns,
  ) {
    this.formatOutput = createRowFormatter(delimiter);
    this.formatSource = createSourceRowFormatter(delimiter);
  }

  /** Opens the temp file the service created, with the header line unless this is a later part. */
  async open(
    columns: readonly string[],
    withHeader: boolean,
    extraNames: readonly string[] = [],
  ): Promise<void> {
    if (!this.tempPath) return;
    this.stream = createWriteStream(this.tempPath, { flags: 'w' });
    await once(this.stream, 'open');
    if (withHeader)
      await write(this.stream, `${this.formatOutput(columns.concat(this.prediction.names, extraNames))}\n`);
  }

  /** `extra`: cells after the prediction's (an explained run's driver columns), quoted as needed. */
  async write(
    rows: SourceRows,
    predictions: BatchPredictions,
    extra?: (row: number) => readonly string[],
  ): Promise<void> {
    const stream = this.stream;
    if (!stream) return;
    const { delimiter, prediction, formatOutput, formatSource } = this;
    let text = '';
    for (let row = 0; row < rows.size; row++) {
      const predicted = prediction.text(predictions, row, formatOutput, delimiter);
      const added = extra ? `${predicted}${delimiter}${formatOutput(extra(row))}` : predicted;
      const line = rows.texts[row];
      const source =
        line === undefined
          ? formatSource.record(rows.records[row] ?? [], this.quotedSeen)
          : formatSource.line(line);
      text += `${source}${delimiter}${added}\n`;
      if (text.length >= outputPieceChars) {
        stream.write(text);
        text = '';
      }
    }
    await write(stream, text);
  }

  close(): Promise<void> {
    return closeStream(this.stream);
  }

  destroy(): void {
    destroyStream(this.stream);
  }
}

/**
 * The errors file (line, column, value, reason: one line per unusable cell), the counts by reason,
 * and the first errors kept for the caller. Opened on the first error only.
 */
export class ErrorsTarget {
  private stream: WriteStream | undefined;
  private chunk = '';
  private readonly format = createRowFormatter(',');
  failedRows = 0;
  readonly byReason: Record<string, number> = {};
  readonly samples: RowError[] = [];

  constructor(
    private readonly tempPath: string | undefined,
    private readonly withHeader: boolean,
  ) {}

  add(errors: readonly RowError[]): void {
    this.failedRows++;
    for (const error of errors) {
      const reasonKey = error.column === '' ? 'wrong number of fields' : `${error.column} ${error.reason}`;
      this.byReason[reasonKey] = (this.byReason[reasonKey] ?? 0) + 1;
      if (this.samples.length < maxErrorSamples)
        this.samples.push({ ...error, value: error.value.slice(0, maxErrorValueChars) });
      if (this.tempPath)
        this.chunk += `${this.format([String(error.line), error.column, error.value.slice(0, maxErrorValueChars), error.reason])}\n`;
    }
  }

  /** Writes what has gathered since the last flush (once per chunk read). */
  async flush(): Promise<void> {
    if (this.chunk.length === 0 || !this.tempPath) return;
    if (!this.stream) {
      this.stream = createWriteStream(this.tempPath, { flags: 'wx' });
      await once(this.stream, 'open');
      if (this.withHeader) await write(this.stream, errorsHeader);
    }
    const text = this.chunk;
    this.chunk = '';
    await write(this.stream, text);
  }

  close(): Promise<void> {
    return closeStream(this.stream);
  }

  destroy(): void {
    destroyStream(this.stream);
  }
}

async function write(stream: WriteStream, text: string): Promise<void> {
  if (text.length === 0) return;
  if (!stream.write(text)) await drained(stream);
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

function destroyStream(stream: WriteStream | undefined): void {
  // Writes still queued fail with ERR_STREAM_DESTROYED; that is expected here, not a second error.
  stream?.on('error', () => undefined);
  stream?.destroy();
}
