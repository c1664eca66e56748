import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { DriftReport, FeatureDrift } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import {
  buildFeeds,
  convertRows,
  type FillValues,
  inputColumnNames,
  type OpenModel,
  scoreFeeds,
} from './batch-scoring.ts';
import { matchColumns, readAhead, readCsvBatches } from './csv-batches.ts';
import {
  DriftCounter,
  type FeatureProfile,
  type NumericProfile,
  PSI_EPSILON,
  profileCategorical,
  profileNumeric,
  toNumber,
} from './psi.ts';

/** What the library keeps of a reference CSV: per-input bins and the score deciles, never the rows. */
export interface ReferenceProfile {
  profileVersion: 1;
  rows: number;
  features: FeatureProfile[];
  /** The model's scores on the reference rows it could score (rows with empty cells are left out). */
  score?: NumericProfile;
}

/** Reads a reference CSV once: every input column profiled, and the rows scored by the model for the score deciles. */
export async function buildReferenceProfile(
  model: OpenModel,
  csvPath: string,
  options: { fill?: FillValues; signal?: AbortSignal } = {},
): Promise<ReferenceProfile> {
  const inputs = model.info.inputs;
  const columns = inputs.flatMap((input) =>
    inputColumnNames(input).map((column) => ({ column, numeric: input.kind === 'numeric' })),
  );
  const cells = new Map<string, string[]>(columns.map(({ column }) => [column, []]));
  const scores: number[] = [];
  let rows = 0;
  let columnIndex: Map<string, number> | undefined;
  for await (const batch of readAhead(readCsvBatches(csvPath, { signal: options.signal }))) {
    columnIndex ??= matchColumns(
      batch.header,
      columns.map(({ column }) => column),
    );
    rows += batch.rows.length;
    for (const { column } of columns) {
      const index = columnIndex.get(column)!;
      const out = cells.get(column)!;
      for (const row of batch.rows) out.push(row[index] ?? '');
    }
    const converted = convertRows(
      inputs,
      columnIndex,
      batch.rows,
      batch.firstRow,
      options.fill,
      batch.header.length,
    );
    if (converted.rowNumbers.length > 0) {
      const result = await scoreFeeds(model, buildFeeds(inputs, converted), converted.rowNumbers.length);
      for (const score of result.scores) scores.push(score);
    }
  }
  if (rows === 0) throw new AppError('invalid-csv', `The reference CSV ${csvPath} has no data rows.`);
  return {
    profileVersion: 1,
    rows,
    features: columns.map(({ column, numeric }) =>
      numeric ? profileNumeric(column, cells.get(column)!) : profileCategorical(column, cells.get(column)!),
    ),
    score: scores.length > 0 ? profileNumeric('score', scores) : undefined,
  };
}

/**
 * Counts current data into a reference profile's bins as it streams past. The batch engine feeds it
 * columns keyed by input (or [N,F] feature) name and the batch's scores; `report()` gives the PSI table.
 */
export class DriftAccumulator {
  private readonly counters: DriftCounter[];
  private readonly scoreCounter?: DriftCounter;
  private rows = 0;

  constructor(readonly profile: ReferenceProfile) {
    this.counters = profile.features.map((feature) => new DriftCounter(feature));
    if (profile.score) this.scoreCounter = new DriftCounter(profile.score);
  }

  /** columns[name][i] is row i's cell (string, number or empty); scores[i] the same row's score. */
  addColumns(columns: Readonly<Record<string, ArrayLike<unknown>>>, scores?: ArrayLike<number>): void {
    let batchRows = 0;
    for (const counter of this.counters) {
      const column = columns[counter.profile.name];
      if (!column) continue;
      batchRows = Math.max(batchRows, column.length);
      for (let i = 0; i < column.length; i++) counter.add(column[i]);
    }
    if (scores && this.scoreCounter) for (let i = 0; i < scores.length; i++) this.scoreCounter.add(scores[i]);
    this.rows += batchRows;
  }

  /** Rows straight from a CSV batch, with the header naming the columns. */
  addCsvRows(columnIndex: ReadonlyMap<string, number>, rows: readonly string[][]): void {
    for (const counter of this.counters) {
      const index = columnIndex.get(counter.profile.name);
      if (index === undefined) continue;
      for (const row of rows) counter.add(row[index]);
    }
    this.rows += rows.length;
  }

  addScores(scores: ArrayLike<number>): void {
    if (!this.scoreCounter) return;
    for (let i = 0; i < scores.length; i++) this.scoreCounter.add(scores[i]);
  }

  report(): DriftReport {
    const features: FeatureDrift[] = this.counters.map((counter) => counter.result());
    return {
      referenceRows: this.profile.rows,
      currentRows: this.rows,
      epsilon: PSI_EPSILON,
      features,
      score: this.scoreCounter ? { ...this.scoreCounter.result(), name: 'score' } : undefined,
    };
  }
}

/** PSI of a whole CSV against a reference profile, scoring it with the same model. */
export async function driftOfCsv(
  model: OpenModel,
  profile: ReferenceProfile,
  csvPath: string,
  options: { fill?: FillValues; signal?: AbortSignal } = {},
): Promise<DriftReport> {
  const accumulator = new DriftAccumulator(profile);
  const inputs = model.info.inputs;
  const wanted = profile.features.map((feature) => feature.name);
  let columnIndex: Map<string, number> | undefined;
  for await (const batch of readAhead(readCsvBatches(csvPath, { signal: options.signal }))) {
    columnIndex ??= matchColumns(batch.header, wanted);
    accumulator.addCsvRows(columnIndex, batch.rows);
    const converted = convertRows(
      inputs,
      columnIndex,
      batch.rows,
      batch.firstRow,
      options.fill,
      batch.header.length,
    );
    if (converted.rowNumbers.length > 0) {
      const result = await scoreFeeds(model, buildFeeds(inputs, converted), converted.rowNumbers.length);
      accumulator.addScores(result.scores);
    }
  }
  return accumulator.report();
}

/**
 * PSI of a CSV that `modeldock score` already wrote: the input columns are read as they are and the scores
 * come from its score column (predicted_probability, or predicted_value for regressors), so nothing is
 * predicted twice.
 */
export async function driftOfScoredCsv(
  profile: ReferenceProfile,
  scoredCsv: string,
  scoreColumn: string | undefined,
  options: { signal?: AbortSignal } = {},
): Promise<DriftReport> {
  const accumulator = new DriftAccumulator(profile);
  const wanted = profile.features.map((feature) => feature.name);
  let columnIndex: Map<string, number> | undefined;
  let scoreIndex = -1;
  for await (const batch of readAhead(readCsvBatches(scoredCsv, { signal: options.signal }))) {
    if (!columnIndex) {
      columnIndex = matchColumns(batch.header, wanted);
      scoreIndex = scoreColumn === undefined ? -1 : batch.header.indexOf(scoreColumn);
      if (scoreColumn !== undefined && scoreIndex < 0) {
        throw new AppError('mapping-incomplete', `The scored CSV has no column ${scoreColumn}.`);
      }
    }
    accumulator.addCsvRows(columnIndex, batch.rows);
    if (scoreIndex >= 0) {
      const scores: number[] = [];
      for (const row of batch.rows) {
        const score = toNumber(row[scoreIndex]);
        if (score !== null) scores.push(score);
      }
      accumulator.addScores(scores);
    }
  }
  return accumulator.report();
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
