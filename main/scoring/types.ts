import type { z } from 'zod';
import type {
  Capacity,
  CsvDialect,
  classLabelSchema,
  MappingEntry,
  MissingPolicy,
  ModelInput,
  ModelOutput,
  NumberFormat,
  Prediction,
  Task,
} from '../../shared/contract/index.ts';
import type { CoercedRow } from '../models/payload.ts';
import type { EngineOutputs } from './outputs.ts';

export type {
  BatchReport,
  CsvDialect,
  LabelMetrics,
  MappingEntry,
  ScoringCheck,
  ScoringSummary,
} from '../../shared/contract/index.ts';

export type ClassLabel = z.infer<typeof classLabelSchema>;

/** Limits that keep a hostile or broken file from exhausting memory; tests lower them. */
export interface ReadLimits {
  /** Longest record (in characters) before the file is refused: a "line" of gigabytes is not a CSV. */
  maxRecordChars: number;
  maxColumns: number;
}

export const defaultReadLimits: ReadLimits = { maxRecordChars: 64 * 1024 * 1024, maxColumns: 20_000 };

/** What the model looks like to the engine (plain data: it crosses into the worker thread). */
export interface ModelShape {
  task: Task;
  inputs: ModelInput[];
  outputs: ModelOutput[];
  classLabels?: ClassLabel[];
  positiveClass?: ClassLabel;
}

/** One run of the engine, fully resolved by the service: plain data, so it can be posted to a worker. */
export interface EngineJob {
  kind: 'score' | 'check';
  inputPath: string;
  dialect: CsvDialect;
  mapping: MappingEntry[];
  missing: Record<string, MissingPolicy>;
  numberFormat: NumberFormat;
  /** Unseen categories (main/models/payload.ts unseenCategoryRule): counted, or row errors. */
  unseenCategories: 'count' | 'fail';
  model: ModelShape;
  /** Where the output and errors go while the run lasts; the service renames them when it succeeds. */
  outputTempPath?: string;
  errorsTempPath?: string;
  labelColumn?: string;
  threshold: number;
  /** "Call N leads (or X %)": the report gets the exact selection (main/analysis/capacity.ts). */
  capacity?: Capacity['request'];
  /** Adds a `selected` column: 1 where the score is ≥ this (the threshold a capacity chose), else 0. */
  selectThreshold?: number;
  batchSize: number;
  limits: ReadLimits;
  progressIntervalMs: number;
  /** Further outputs of the same pass: compare, drift, a reference profile (outputs.ts). */
  outputs?: EngineOutputs;
  /**
   * Explain every scored row (`score --explain`): its top drivers as added columns, from Shapley values
   * against these background rows (main/analysis/explain-batch.ts). Plain data, like the rest of the job.
   */
  explain?: { background: CoercedRow[]; permutations?: number };
  /** Set when the file is scored in parts by several workers (parallel-split.ts): this run's part. */
  part?: EnginePart;
}

/**
 * A byte range of the input that starts at a record boundary. A part after the first has no header
 * line: `columns` are the file's columns; its output and errors files then have no header either.
 */
export interface EnginePart {
  start: number;
  end: number;
  firstLine: number;
  columns?: string[];
  /** The file the cut was made in: a run that finds another size or time stops (`io-error`). */
  file: { size: number; mtimeMs: number };
}

/**
 * One batch of predictions, read row by row. Either the core's Prediction objects (toPredictions,
 * exactly what single predictions return) or a columnar view over the same output tensors for
 * classifiers, which skips building an object per row (tests hold the two equal).
 */
export interface BatchPredictions {
  readonly length: number;
  label(row: number): ClassLabel | null;
  /** Probability of the k-th class, in the order of the model's class labels. */
  classProbability(row: number, k: number): number | undefined;
  /** Binary classifiers: the positive class's probability. */
  probability(row: number): number | undefined;
  /** Regressors: the predicted value. */
  value(row: number): number | undefined;
}

/** Wraps the core's per-row predictions. */
export function predictionsView(predictions: Prediction[], classLabels: ClassLabel[] = []): BatchPredictions {
  const keys = classLabels.map(String);
  return {
    length: predictions.length,
    label: (row) => predictions[row]?.label ?? null,
    classProbability: (row, k) => predictions[row]?.probabilities[keys[k] ?? ''],
    probability: (row) => predictions[row]?.probability,
    value: (row) => predictions[row]?.value,
  };
}

/** Column-wise values for each input (n × width, row-major), in the order of the model's inputs. */
export type InputColumns = Array<Array<number | string | boolean>>;

export type BatchPredictor = (columns: InputColumns, rowCount: number) => Promise<BatchPredictions>;

/** The stages of a run, in order; progress names the one it is in. */
export type EngineStage = 'reading' | 'explaining' | 'metrics' | 'writing';

export interface EngineProgress {
  stage: EngineStage;
  rows: number;
  bytesDone: number;
  bytesTotal: number;
  rowsPerSecond: number;
  etaSeconds: number;
}
