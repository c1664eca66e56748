import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { NumberFormat, ResultRowsPage, ResultRowsRequest } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { isMissing, parseNumberCell } from './cell-values.ts';
import { readCsvRecords } from './csv-source.ts';
import { LineStartScanner } from './line-breaks.ts';
import type { CsvDialect, ReadLimits } from './types.ts';

/**
 * Rows of a run's output, a page at a time, sorted and filtered over the whole file. The output can
 * hold a million rows (100+ MB), so neither the renderer nor this service keeps the rows: once per
 * file it keeps each row's byte offset (Float64Array), and once per (sort, filters) the matching
 * rows' numbers in order (Uint32Array), built by one pass of the one CSV reader. A page reads its
 * rows back from their byte ranges with the same reader.
 */

/** Rows an index is built over at most: offsets, keys and order take ~24 bytes a row (~240 MB here). */
export const maxIndexRows = 10_000_000;

interface FileIndex {
  key: string;
  columns: string[];
  /** Byte offset of each data row's first line, and the file's size after the last. */
  offsets: Float64Array;
  rows: number;
}

interface View {
  key: string;
  /** Row numbers (0 = the first data row) that pass the filters, in the requested order. */
  order: Uint32Array;
}

/** The output files are written by this app: UTF-8, `\n` line breaks, a header, `"` quotes. */
function outputDialect(delimiter: CsvDialect['delimiter']): CsvDialect {
  return { encoding: 'utf-8', delimiter, quote: '"', hasHeader: true };
}

export class ResultRows {
  private file: Promise<FileIndex> | undefined;
  private fileKey: string | undefined;
  private view: { key: string; promise: Promise<View>; abort: AbortController; request: number } | undefined;
  /** Requests numbered as they are made: their awaits (stat, index) may finish in another order. */
  private requests = 0;

  constructor(private readonly limits: ReadLimits) {}

  async page(request: ResultRowsRequest): Promise<ResultRowsPage> {
    const number = ++this.requests;
    const info = await stat(request.path).catch(() => {
      throw new AppError(
        'file-not-found',
        `${path.basename(request.path)} is no longer there; score the file again.`,
      );
    });
    const dialect = outputDialect(request.delimiter);
    const fileKey = JSON.stringify([request.path, request.delimiter, info.size, info.mtimeMs]);
    if (this.fileKey !== fileKey) {
      this.fileKey = fileKey;
      this.view?.abort.abort();
      this.view = undefined;
      this.file = indexFile(request.path, dialect, this.limits, info.size, fileKey);
      // A failed index is not kept: the next request tries again.
      this.file.catch(() => {
        if (this.fileKey === fileKey) this.fileKey = undefined;
      });
    }
    const file = await (this.file as Promise<FileIndex>);
    const order = await this.orderFor(file, request, dialect, number);
    const matching = order ? order.length : file.rows;
    const start = Math.min(request.offset, matching);
    const end = Math.min(start + request.limit, matching);
    const wanted: number[] = [];
    for (let k = start; k < end; k++) wanted.push(order ? (order[k] as number) : k);
    const rows = await readRows(request.path, dialect, this.limits, file, wanted);
    return { columns: file.columns, total: file.rows, matching, offset: start, rows };
  }

  /** The order for the request's sort and filters: undefined for the file's own order, else built once and kept. */
  private async orderFor(
    file: FileIndex,
    request: ResultRowsRequest,
    dialect: CsvDialect,
    number: number,
  ): Promise<Uint32Array | undefined> {
    const filters = Object.entries(request.filters ?? {}).filter(([, text]) => text.trim() !== '');
    const range = request.range;
    const hasRange = range !== undefined && (range.min !== undefined || range.max !== undefined);
    if (!request.sort && filters.length === 0 && !hasRange) return undefined;
    const key = JSON.stringify([
      file.key,
      request.sort,
      filters,
      hasRange ? range : null,
      request.numberFormat,
    ]);
    if (this.view?.key !== key) {
      // The newest request wins: an older one arriving late must not cancel the newer one's view.
      if (this.view && this.view.request > number) throw cancelled();
      // A new sort or filter replaces the one being built: the old pass stops at its next chunk.
      this.view?.abort.abort();
      const abort = new AbortController();
      const promise = buildView(request, file, dialect, this.limits, filters, key, abort.signal);
      this.view = { key, promise, abort, request: number };
      promise.catch(() => {
        if (this.view?.key === key) this.view = undefined;
      });
    }
    return (await (this.view as { promise: Promise<View> }).promise).order;
  }
}

async function indexFile(
  filePath: string,
  dialect: CsvDialect,
  limits: ReadLimits,
  size: number,
  key: string,
): Promise<FileIndex> {
  // The reader says on which line each record starts; a scan for line breaks turns lines into bytes.
  let columns: string[] | undefined;
  let lines = new Int32Array(1024);
  let rows = 0;
  for await (const chunk of readCsvRecords(filePath, dialect, limits)) {
    for (let k = 0; k < chunk.records.length; k++) {
      if (!columns) {
        columns = chunk.records[k] as string[];
        continue;
      }
      if (rows >= maxIndexRows) throw tooManyRows(filePath);
      if (rows === lines.length) lines = grow(lines);
      lines[rows++] = chunk.lines[k] as number;
    }
  }
  if (!columns) throw new AppError('empty-file', `${path.basename(filePath)} is empty.`);
  const offsets = new Float64Array(rows + 1);
  offsets[rows] = size;
  let line = 1;
  let next = 0;
  // Lines counted as the reader counts them (line-breaks.ts), so a cell holding a CR keeps rows apart.
  const scanner = new LineStartScanner();
  const onLineStart = (offset: number): boolean => {
    line++;
    while (next < rows && lines[next] === line) offsets[next++] = offset;
    return next < rows;
  };
  for await (const raw of createReadStream(filePath, {
    highWaterMark: 1024 * 1024,
  }) as AsyncIterable<Buffer>) {
    if (next < rows) scanner.scan(raw, onLineStart);
    if (next >= rows) break;
  }
  return { key, columns, offsets, rows };
}

function grow<T extends Int32Array | Uint32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

function cancelled(): AppError {
  return new AppError('cancelled', 'A newer sort or filter replaced this one.');
}

function tooManyRows(filePath: string): AppError {
  return new AppError(
    'file-too-large',
    `${path.basename(filePath)} has more than ${maxIndexRows.toLocaleString('en-US')} rows, more than the results table sorts and filters; open the output file in a tool made for files that size.`,
    { limit: maxIndexRows },
  );
}

async function buildView(
  request: ResultRowsRequest,
  file: FileIndex,
  dialect: CsvDialect,
  limits: ReadLimits,
  filters: Array<[string, string]>,
  key: string,
  signal: AbortSignal,
): Promise<View> {
  const columnIndex = (name: string): number => {
    const index = file.columns.indexOf(name);
    if (index < 0) throw new AppError('bad-request', `The output has no column "${name}".`);
    return index;
  };
  const tests = filters.map(([column, text]) => [columnIndex(column), text.trim().toLowerCase()] as const);
  const format: NumberFormat = request.numberFormat ?? 'plain';
  const number = (cell: string): number => {
    if (isMissing(cell)) return Number.NaN;
    const result = parseNumberCell(cell, format);
    return result.ok ? result.value : Number.NaN;
  };
  const range = request.range;
  const rangeIndex =
    range && (range.min !== undefined || range.max !== undefined) ? columnIndex(range.column) : -1;
  const sortIndex = request.sort ? columnIndex(request.sort.column) : -1;

  // Numbers sort as numbers; a column with any other text sorts as text (the pass runs again then).
  const pass = async (asText: boolean) => {
    let matching = new Uint32Array(1024);
    let numbers = new Float64Array(sortIndex >= 0 && !asText ? 1024 : 0);
    const texts: string[] = [];
    let count = 0;
    let row = -1;
    let header = true;
    for await (const chunk of readCsvRecords(request.path, dialect, limits)) {
      if (signal.aborted) throw cancelled();
      for (const record of chunk.records) {
        if (header) {
          header = false;
          continue;
        }
        row++;
        let keep = true;
        for (const [index, text] of tests) {
          if (!(record[index] ?? '').toLowerCase().includes(text)) {
            keep = false;
            break;
          }
        }
        if (keep && rangeIndex >= 0 && range) {
          const value = number(record[rangeIndex] ?? '');
          keep =
            !Number.isNaN(value) &&
            (range.min === undefined || value >= range.min) &&
            (range.max === undefined || value <= range.max);
        }
        if (!keep) continue;
        if (count === matching.length) matching = grow(matching);
        if (sortIndex >= 0) {
          const cell = record[sortIndex] ?? '';
          if (asText) texts.push(cell);
          else {
            const value = number(cell);
            if (Number.isNaN(value) && !isMissing(cell)) return undefined;
            if (count === numbers.length) numbers = grow(numbers);
            numbers[count] = value;
          }
        }
        matching[count++] = row;
      }
    }
    return { matching: matching.subarray(0, count), numbers: numbers.subarray(0, count), texts };
  };
  const collected = (await pass(false)) ?? (await pass(true));
  if (!collected) throw new Error('unreachable');
  const { matching, numbers, texts } = collected;
  const count = matching.length;
  if (sortIndex < 0 || !request.sort) return { key, order: matching };
  const positions = new Uint32Array(count);
  for (let k = 0; k < count; k++) positions[k] = k;
  const sign = request.sort.direction === 'desc' ? -1 : 1;
  const byText = texts.length === count && numbers.length === 0 && count > 0;
  const compare = byText
    ? (a: number, b: number) => {
        const x = texts[a] as string;
        const y = texts[b] as string;
        // Empty cells last in either direction; ties keep the file's order.
        if (x === '' || y === '') return x === y ? a - b : x === '' ? 1 : -1;
        return x < y ? -sign : x > y ? sign : a - b;
      }
    : (a: number, b: number) => {
        const x = numbers[a] as number;
        const y = numbers[b] as number;
        const xNaN = Number.isNaN(x);
        const yNaN = Number.isNaN(y);
        if (xNaN || yNaN) return xNaN && yNaN ? a - b : xNaN ? 1 : -1;
        return x < y ? -sign : x > y ? sign : a - b;
      };
  positions.sort(compare);
  const order = new Uint32Array(count);
  for (let k = 0; k < count; k++) order[k] = matching[positions[k] as number] as number;
  return { key, order };
}

/** The rows with these numbers, read back from their byte ranges (runs of neighbours in one read). */
async function readRows(
  filePath: string,
  dialect: CsvDialect,
  limits: ReadLimits,
  file: FileIndex,
  wanted: number[],
): Promise<ResultRowsPage['rows']> {
  const found = new Map<number, string[]>();
  const sorted = [...wanted].sort((a, b) => a - b);
  for (let k = 0; k < sorted.length; ) {
    const first = sorted[k] as number;
    let last = first;
    while (k + 1 < sorted.length && sorted[k + 1] === last + 1) last = sorted[++k] as number;
    k++;
    let row = first;
    for await (const chunk of readCsvRecords(filePath, dialect, limits, undefined, {
      start: file.offsets[first],
      end: file.offsets[last + 1],
    })) {
      for (const record of chunk.records) found.set(row++, record);
    }
  }
  return wanted.map((row) => ({ row, cells: found.get(row) ?? [] }));
}
