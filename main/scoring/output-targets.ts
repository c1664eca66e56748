import type { BatchPredictions, EngineJob, InputColumns } from './types.ts';

/**
 * One batch of scored rows as the output targets see it, after the model (and, in a compare run,
 * the second model) has predicted it.
 */
export interface ScoredBatch {
  readonly size: number;
  /** Each row's line number in the file (the row number used everywhere). */
  readonly lines: readonly number[];
  /** The values the model got, per input (row-major for [N,F] inputs), in the mapping's order. */
  readonly columns: InputColumns;
  readonly predictions: BatchPredictions;
  /** Model B's predictions of the same rows, in a compare run. */
  readonly other?: BatchPredictions;
  /** Each row's label cell, when the run has a label column. */
  readonly labels?: ReadonlyArray<string | undefined>;
  /** The number decisions and the report use: positive-class or top probability, or the value. */
  score(row: number): number;
  /** Each row's Shapley contributions, per input in the mapping's order, when the run explains rows. */
  readonly contributions?: readonly Float64Array[];
}

/**
 * A further output of the one pass over a file, computed in the worker as rows stream past: the
 * report's figures, Compare's, the drift counts against a reference, a reference profile. Each
 * worker has its own; what `finish` returns is plain data that crosses back to the service, where
 * the parts' states are merged in file order (OutputKind.merge).
 */
export interface OutputTarget<State = unknown> {
  /** Every data record with the header's number of fields, scored or not (drift counts all rows). */
  record?(record: readonly string[], line: number): void;
  /** A batch of scored rows, in file order. */
  scored?(batch: ScoredBatch): void;
  /** The worker's state; may sort or condense (it runs in the worker, off the UI's thread). */
  finish(): State;
}

/** What a target is built from in the worker, once the file's columns are known. */
export interface TargetSetup {
  job: EngineJob;
  columns: readonly string[];
  /** Column indexes per input slot, in the mapping's order. */
  indexes: readonly (readonly number[])[];
}

/**
 * A kind of output: how the worker makes its target from the job's options, and how the service
 * merges the workers' states (in file order) into the result. Adding an output (gains and lift,
 * explanations, …) is one more entry in `outputKinds` (outputs.ts) and one more optional field of
 * `EngineJob.outputs`.
 */
export interface OutputKind<Options, State, Result> {
  create(options: Options, setup: TargetSetup): OutputTarget<State>;
  merge(states: State[], options: Options): Result;
}
