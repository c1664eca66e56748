import fs from 'node:fs/promises';
import path from 'node:path';
import type { CsvDialect } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import {
  assertLooksLikeText,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  sampleBytes,
} from '../scoring/csv-detect.ts';
import { readCsvRecords } from '../scoring/csv-source.ts';
import { defaultReadLimits } from '../scoring/types.ts';

export interface CsvBatch {
  header: string[];
  rows: string[][];
  /** 1-based data row number of rows[0] (the header is row 0). */
  firstRow: number;
}

/** Encoding, delimiter and quoting as the batch engine detects them, from the first 256 KB. */
export async function detectCsvDialect(csvPath: string): Promise<CsvDialect> {
  const size = (await fs.stat(csvPath)).size;
  const handle = await fs.open(csvPath, 'r');
  let sample: Uint8Array;
  try {
    const buffer = Buffer.alloc(Math.min(sampleBytes, size));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    sample = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const encoding = detectEncoding(sample, sample.length === size);
  const text = decodeSample(sample, encoding);
  assertLooksLikeText(text, path.basename(csvPath));
  return { encoding, delimiter: detectDelimiter(text, '"'), quote: '"', hasHeader: true };
}

/**
 * Streams a CSV in batches of rows with the batch engine's reader (main/scoring/csv-source.ts: UTF-8 with or
 * without BOM, UTF-16, Windows-1252; CRLF or LF; quoted fields), so a file of any size is compared or
 * profiled without being held in memory, and reads exactly as `modeldock score` reads it.
 */
export async function* readCsvBatches(
  csvPath: string,
  options: { batchSize?: number; signal?: AbortSignal } = {},
): AsyncGenerator<CsvBatch> {
  const batchSize = options.batchSize ?? 8192;
  const stat = await fs.stat(csvPath).catch(() => {
    throw new AppError('file-not-found', `The CSV file ${csvPath} does not exist.`);
  });
  if (!stat.isFile()) throw new AppError('not-a-file', `${csvPath} is not a file.`);
  if (stat.size === 0) throw new AppError('empty-file', `The CSV file ${path.basename(csvPath)} is empty.`);
  const dialect = await detectCsvDialect(csvPath);
  let header: string[] | undefined;
  let rows: string[][] = [];
  let firstRow = 1;
  let row = 0;
  for await (const chunk of readCsvRecords(csvPath, dialect, defaultReadLimits)) {
    if (options.signal?.aborted) throw new AppError('cancelled', 'Cancelled.');
    for (const record of chunk.records) {
      if (!header) {
        header = record.map((name) => name.trim());
        continue;
      }
      row++;
      rows.push(record);
      if (rows.length >= batchSize) {
        yield { header, rows, firstRow };
        firstRow = row + 1;
        rows = [];
      }
    }
  }
  if (!header) throw new AppError('invalid-csv', `The CSV file ${path.basename(csvPath)} has no header row.`);
  if (rows.length > 0) yield { header, rows, firstRow };
}

/** Column names compared the way analysts write them: case, spaces, dashes and underscores ignored. */
export function normaliseColumnName(name: string): string {
  return name.toLowerCase().replace(/[\s_-]+/g, '');
}

/** Index of each wanted name in the header; throws mapping-incomplete naming every missing column. */
export function matchColumns(header: readonly string[], wanted: readonly string[]): Map<string, number> {
  const byName = new Map<string, number>();
  header.forEach((column, index) => {
    const key = normaliseColumnName(column);
    if (!byName.has(key)) byName.set(key, index);
  });
  const matched = new Map<string, number>();
  const missing: string[] = [];
  for (const name of wanted) {
    const index = byName.get(normaliseColumnName(name));
    if (index === undefined) missing.push(name);
    else matched.set(name, index);
  }
  if (missing.length > 0) {
    throw new AppError(
      'mapping-incomplete',
      `The CSV has no column for ${missing.join(', ')} (its columns are ${header.join(', ')}).`,
      { missing, columns: header },
    );
  }
  return matched;
}

/**
 * Reads one item ahead: while the consumer awaits inference on batch n (onnxruntime runs it off the JS
 * thread), batch n + 1 is already being parsed.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    while (true) {
      const current = await pending;
      if (current.done) return;
      pending = iterator.next();
      yield current.value;
    }
  } finally {
    // Stopped early (an error, a break): the read-ahead's own failure is not the one to report.
    pending.catch(() => undefined);
    await iterator.return?.();
  }
}
