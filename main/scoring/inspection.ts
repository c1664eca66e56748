import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type {
  CsvDialect,
  CsvInspection,
  ModelInfo,
  ModelInput,
  NumberFormat,
} from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
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
import type { ReadLimits } from './types.ts';

export interface InspectRequest {
  path: string;
  dialect?: Partial<CsvDialect>;
  mapping?: Record<string, string[]>;
  numberFormat?: NumberFormat;
}

const previewRows = 20;
/** Rows read to tell the number format: enough to meet decimals in a file whose first rows are whole. */
const formatSampleRows = 500;

/**
 * Detects the dialect (overrides win) and the number format, reads the first rows and proposes the
 * column mapping. Quick: at most the first 256 KB decide the dialect and 500 rows the number format.
 */
export async function inspectCsv(
  model: Pick<ModelInfo, 'inputs'>,
  request: InspectRequest,
  limits: ReadLimits,
): Promise<CsvInspection> {
  const filePath = path.resolve(request.path);
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
  const encoding = request.dialect?.encoding ?? detectedEncoding;
  const text = decodeSample(sample, encoding);
  const quote = request.dialect?.quote ?? '"';
  const detectedDelimiter = detectDelimiter(text, quote === 'none' ? '' : quote);
  const delimiter = request.dialect?.delimiter ?? detectedDelimiter;
  const partial = { encoding, delimiter, quote, hasHeader: true };
  // A NUL byte in the sample: the reader reads on to it and refuses the file there, naming the line
  // its record starts on, as it does for a NUL further down.
  if (text.includes('\u0000')) {
    for await (const _chunk of readCsvRecords(filePath, partial, limits, undefined, {
      highWaterMark: 64 * 1024,
    }));
  }
  assertLooksLikeText(text, fileName);
  const rows: string[][] = [];
  for await (const chunk of readCsvRecords(filePath, partial, limits, undefined, {
    highWaterMark: 64 * 1024,
  })) {
    const first = chunk.records[0];
    if (rows.length === 0 && first && first.length > limits.maxColumns) {
      throw new AppError(
        'invalid-csv',
        `${fileName} has ${first.length.toLocaleString('en-US')} columns; ModelDock reads files with at most ${limits.maxColumns.toLocaleString('en-US')} columns.`,
        { columns: first.length },
      );
    }
    rows.push(...chunk.records.slice(0, formatSampleRows + 1 - rows.length));
    if (rows.length > formatSampleRows) break;
  }
  if (rows.length === 0) throw new AppError('empty-file', `${fileName} has no rows.`);
  const detected: CsvDialect = {
    encoding: detectedEncoding,
    delimiter: detectedDelimiter,
    quote: '"',
    hasHeader: detectHeader(rows[0] ?? []),
  };
  const dialect: CsvDialect = { ...detected, ...definedOnly(request.dialect ?? {}) };
  const header = rows[0] ?? [];
  const columns = dialect.hasHeader ? header : header.map((_, index) => `column_${index + 1}`);
  const mapping = proposeMapping(model.inputs as ModelInput[], columns, request.mapping);
  const mapped = new Set(mapping.flatMap((entry) => entry.columns.filter((column) => column !== null)));
  const dataRows = dialect.hasHeader ? rows.slice(1) : rows;
  // Every column counts, not only the inputs': the file's convention is also what its output is written in
  // (a `;` file whose only decimals are in a score column still gets 0,5336 back).
  const detectedNumberFormat = detectNumberFormat(dataRows, [], dialect.delimiter);
  return {
    path: filePath,
    sizeBytes: size,
    detected,
    dialect,
    columns,
    preview: dataRows.slice(0, previewRows),
    mapping,
    unmappedInputs: unmappedInputs(mapping),
    suggestedLabelColumn: suggestLabelColumn(columns, mapped),
    numberFormat: request.numberFormat ?? detectedNumberFormat,
    detectedNumberFormat,
  };
}

const decimalComma = /^[+-]?\d+,\d+$/;
const dotThousandsDecimalComma = /^[+-]?\d{1,3}(\.\d{3})+,\d+$/;
const commaThousands = /^[+-]?\d{1,3}(,\d{3})+$/;
const commaThousandsDotDecimal = /^[+-]?\d{1,3}(,\d{3})+\.\d+$/;
const dotDecimal = /^[+-]?\d*\.\d+([eE][+-]?\d+)?$/;
const dotThousands = /^[+-]?\d{1,3}(\.\d{3})+$/;

/**
 * The number format the numeric cells show, from the data (not only the delimiter): decimal commas
 * (12,5 or 1.234,5) and no dot decimals → `decimal-comma`; comma thousands with dot decimals
 * (1,234.5) and no decimal commas → `thousands-comma`; else `plain`. A cell such as 1,234 could be
 * either; it tips the balance only in a file whose delimiter is not a comma, where Excel writes
 * decimal commas. `columns` limits the count to some columns (empty: every column).
 */
export function detectNumberFormat(
  rows: readonly (readonly string[])[],
  columns: readonly number[],
  delimiter: string,
): NumberFormat {
  let decimalCommas = 0;
  let ambiguousCommas = 0;
  let dotDecimals = 0;
  let thousands = 0;
  const indexes = columns.length > 0 ? columns : Array.from({ length: rows[0]?.length ?? 0 }, (_, i) => i);
  for (const row of rows) {
    for (const index of indexes) {
      const cell = (row[index] ?? '').trim();
      if (cell === '') continue;
      if (commaThousandsDotDecimal.test(cell)) thousands++;
      else if (commaThousands.test(cell)) ambiguousCommas++;
      else if (decimalComma.test(cell) || dotThousandsDecimalComma.test(cell)) decimalCommas++;
      else if (dotDecimal.test(cell) && !dotThousands.test(cell)) dotDecimals++;
    }
  }
  if (decimalCommas > 0 && dotDecimals === 0 && thousands === 0) return 'decimal-comma';
  if (ambiguousCommas > 0 && delimiter !== ',' && dotDecimals === 0 && thousands === 0)
    return 'decimal-comma';
  if (thousands > 0 && decimalCommas === 0) return 'thousands-comma';
  return 'plain';
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

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
