/**
 * Background rows for explanations: read with the batch engine's CSV reader and cell rules (the
 * missing-value policy included), or taken from payloads (golden samples) with the payload rules.
 * At most `backgroundLimit` rows are kept; from a larger source they are drawn with a fixed seed, so
 * the same file always gives the same explanation.
 */
import path from 'node:path';
import type { BackgroundSource, BackgroundSummary, ModelInput } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { type CoercedRow, checkRow } from '../models/payload.ts';
import { columnIndexes, resolveMissingPolicies } from '../scoring/column-mapping.ts';
import { readCsvRecords } from '../scoring/csv-source.ts';
import { inspectCsv } from '../scoring/inspection.ts';
import { RowReader } from '../scoring/row-reader.ts';
import { defaultReadLimits, type InputColumns } from '../scoring/types.ts';
import { explainSeed, seededRandom } from './shapley.ts';

/** The most background rows an explanation averages over. */
export const backgroundLimit = 1000;

export interface BackgroundRows {
  rows: CoercedRow[];
  summary: BackgroundSummary;
}

/**
 * Keeps at most `limit` of the items offered one by one (reservoir sampling, Algorithm R, with a
 * seeded generator), in the order they were offered.
 */
export class SeededReservoir<T> {
  private readonly kept: Array<{ index: number; item: T }> = [];
  private readonly random: () => number;
  offered = 0;

  constructor(
    readonly limit: number,
    seed: number,
  ) {
    this.random = seededRandom(seed);
  }

  offer(item: T): void {
    const index = this.offered++;
    if (this.kept.length < this.limit) {
      this.kept.push({ index, item });
      return;
    }
    const slot = Math.floor(this.random() * (index + 1));
    if (slot < this.limit) this.kept[slot] = { index, item };
  }

  items(): T[] {
    return [...this.kept].sort((a, b) => a.index - b.index).map((entry) => entry.item);
  }
}

interface ReadOptions {
  limit?: number;
  seed?: number;
  signal?: AbortSignal;
  source?: BackgroundSource;
}

/**
 * Reads a background CSV with the batch engine's one reader (main/scoring/row-reader.ts): the same
 * dialect and number-format detection, column matching, cell rules and default missing-value policy
 * (left out where the converted pipeline handles it, else the row is skipped and counted).
 */
export async function readBackgroundCsv(
  inputs: readonly ModelInput[],
  csvPath: string,
  options: ReadOptions = {},
): Promise<BackgroundRows> {
  const limit = options.limit ?? backgroundLimit;
  const seed = options.seed ?? explainSeed;
  const name = path.basename(csvPath);
  const reservoir = new SeededReservoir<CoercedRow>(limit, seed);
  const inspection = await inspectCsv({ inputs: [...inputs] }, { path: csvPath }, defaultReadLimits);
  if (inspection.unmappedInputs.length > 0) {
    const missing = inspection.unmappedInputs;
    throw new AppError(
      'mapping-incomplete',
      `The background CSV ${name} has no column for ${missing.join(', ')} (its columns are ${inspection.columns.join(', ')}).`,
      { missing, columns: inspection.columns },
    );
  }
  const settings = {
    mapping: inspection.mapping,
    missing: resolveMissingPolicies(inputs, inspection.mapping),
    numberFormat: inspection.numberFormat,
    unseenCategories: 'count' as const,
    model: { inputs: [...inputs] },
  };
  const reader = new RowReader(
    settings,
    columnIndexes(inspection.mapping, inspection.columns),
    inspection.columns,
  );
  const byName = new Map(inputs.map((input) => [input.name, input]));
  let skippedRows = 0;
  let header = inspection.dialect.hasHeader;
  for await (const chunk of readCsvRecords(inspection.path, inspection.dialect, defaultReadLimits)) {
    if (options.signal?.aborted) throw new AppError('cancelled', 'Cancelled.');
    for (let r = 0; r < chunk.records.length; r++) {
      const record = chunk.records[r] ?? [];
      if (header) {
        header = false;
        continue;
      }
      const values: InputColumns = inspection.mapping.map(() => []);
      if (
        record.length !== inspection.columns.length ||
        reader.read(record, chunk.lines[r] ?? 0, values, true)
      ) {
        skippedRows++;
        continue;
      }
      const row: CoercedRow = {};
      inspection.mapping.forEach((entry, k) => {
        if (byName.has(entry.input)) row[entry.input] = values[k] ?? [];
      });
      reservoir.offer(row);
    }
  }
  return finish(reservoir, {
    source: options.source ?? 'csv',
    name,
    skippedRows,
    seed,
    emptyCode: 'invalid-csv',
    emptyMessage: `No row of the background CSV ${name} can be used: every row has a cell the model cannot take (${skippedRows} rows skipped).`,
  });
}

/** Background rows from payloads (the golden samples), checked with the payload rules. */
export function backgroundFromPayloads(
  inputs: readonly ModelInput[],
  payloads: readonly unknown[],
  options: ReadOptions & { name: string },
): BackgroundRows {
  const seed = options.seed ?? explainSeed;
  const reservoir = new SeededReservoir<CoercedRow>(options.limit ?? backgroundLimit, seed);
  let skippedRows = 0;
  for (const payload of payloads) {
    const check = checkRow(inputs, payload);
    if (check.values) reservoir.offer(check.values);
    else skippedRows++;
  }
  return finish(reservoir, {
    source: options.source ?? 'samples',
    name: options.name,
    skippedRows,
    seed,
    emptyCode: 'invalid-payload',
    emptyMessage: `None of the ${payloads.length} ${options.name} is a valid payload for this model.`,
  });
}

function finish(
  reservoir: SeededReservoir<CoercedRow>,
  details: {
    source: BackgroundSource;
    name: string;
    skippedRows: number;
    seed: number;
    emptyCode: 'invalid-csv' | 'invalid-payload';
    emptyMessage: string;
  },
): BackgroundRows {
  const rows = reservoir.items();
  if (rows.length === 0) throw new AppError(details.emptyCode, details.emptyMessage);
  return {
    rows,
    summary: {
      rows: rows.length,
      source: details.source,
      name: details.name,
      sampled: reservoir.offered > rows.length,
      totalRows: reservoir.offered,
      skippedRows: details.skippedRows,
      seed: details.seed,
    },
  };
}
