import type { InputCheck, ModelInput } from '../../shared/contract/index.ts';
import { unseenCategoryRule } from '../models/payload.ts';
import { createCellReader, isMissing, readCell } from './cell-values.ts';
import type { EngineJob, InputColumns, ModelShape } from './types.ts';

/** What the reader needs of a job: the mapping and the cell rules (any pass, in a worker or not). */
export type ReaderSettings = Pick<EngineJob, 'mapping' | 'missing' | 'numberFormat' | 'unseenCategories'> & {
  model: Pick<ModelShape, 'inputs'>;
};

/** One reason a row can't be scored; `line` is the row's line number in the file (1 = the first line). */
export interface RowError {
  line: number;
  /** The CSV column, or '' for a row with the wrong number of fields. */
  column: string;
  value: string;
  reason: string;
}

/** Invalid cells shown per input by a check run. */
export const maxExamplesPerInput = 5;
/** Distinct unseen values remembered per input and worker; more are counted under `otherValues`. */
const maxUnseenValues = 1000;
/** Unseen values reported per input: the most frequent ones. */
export const unseenTopValues = 20;

export const unseenReason = 'is not a category the model was trained on';

/** Unseen categories of one input: counts per value, plus the rows whose value was not kept. */
export interface UnseenCounts {
  values: Record<string, number>;
  otherValues: number;
}

/**
 * The one CSV row reader: a record becomes values appended to the batch columns (in the model's
 * input order, row-major for [N,F]) or row errors, applying the mapping, the number format, the
 * missing-value policy and the unseen-category rule (main/models/payload.ts), and counting what
 * it saw for the pre-run check. Batch, Compare, Drift and reference profiles all read through it.
 */
export class RowReader {
  readonly checks: InputCheck[];
  private readonly unseen: Array<Map<string, number>>;
  private readonly unseenOther: number[];
  private readonly inputs: Array<Pick<ModelInput, 'kind' | 'type'>>;
  private readonly readers: Array<(cell: string) => number | string | boolean | undefined>;
  private readonly rules: Array<((value: number | string | boolean) => boolean) | undefined>;
  private readonly marks: Int32Array;
  private readonly policies: EngineJob['missing'][string][];
  private readonly strictCategories: boolean;

  constructor(
    private readonly job: ReaderSettings,
    /** Column indexes per input slot (column-mapping.ts columnIndexes). */
    private readonly indexes: number[][],
    private readonly columns: readonly string[],
  ) {
    const modelInputs = job.mapping.map(
      (entry) =>
        job.model.inputs.find((input) => input.name === entry.input) ??
        ({ kind: 'string', type: 'string' } as ModelInput),
    );
    this.inputs = modelInputs;
    this.policies = job.mapping.map((entry) => job.missing[entry.input] ?? { mode: 'fail' as const });
    this.readers = modelInputs.map((input) => createCellReader(input, job.numberFormat));
    this.rules = modelInputs.map((input) => unseenCategoryRule(input));
    this.unseen = job.mapping.map(() => new Map());
    this.unseenOther = job.mapping.map(() => 0);
    this.marks = new Int32Array(job.mapping.length);
    this.strictCategories = job.unseenCategories === 'fail';
    this.checks = job.mapping.map((entry, k) => ({
      input: entry.input,
      policy: this.policies[k],
      missingRows: 0,
      invalidRows: 0,
      examples: [],
    }));
  }

  /**
   * Appends the record's values to `target` and returns undefined, or returns its errors and leaves
   * `target` as it was. With `keep` false the values are never kept (a check run only counts).
   */
  read(record: readonly string[], line: number, target: InputColumns, keep: boolean): RowError[] | undefined {
    const { indexes, marks } = this;
    let errors: RowError[] | undefined;
    // Values go straight into the batch columns; a row that fails is cut off again (no per-row arrays).
    for (let k = 0; k < indexes.length; k++) marks[k] = target[k]?.length ?? 0;
    for (let k = 0; k < indexes.length; k++) {
      const slots = indexes[k] ?? [];
      const out = target[k] ?? [];
      const read = this.readers[k];
      const rule = this.rules[k];
      for (const index of slots) {
        const cell = record[index] ?? '';
        let value = read?.(cell);
        if (value === undefined) {
          const input = this.inputs[k] ?? { kind: 'string', type: 'string' };
          const result = readCell(cell, input, this.policies[k] ?? { mode: 'fail' }, this.job.numberFormat);
          if (!result.ok) {
            const check = this.checks[k];
            if (check) {
              if (result.missing) check.missingRows++;
              else {
                check.invalidRows++;
                if (check.examples.length < maxExamplesPerInput)
                  check.examples.push({ line, value: cell, reason: result.reason });
              }
            }
            errors ??= [];
            errors.push({ line, column: this.columns[index] ?? '', value: cell, reason: result.reason });
            continue;
          }
          value = result.value;
        }
        if (rule?.(value)) {
          this.countUnseen(k, value as string);
          if (this.strictCategories) {
            errors ??= [];
            errors.push({ line, column: this.columns[index] ?? '', value: cell, reason: unseenReason });
            continue;
          }
        }
        out.push(value);
      }
    }
    if (errors || !keep) {
      for (let k = 0; k < indexes.length; k++) {
        const out = target[k];
        if (out) out.length = marks[k] ?? 0;
      }
    }
    return errors;
  }

  /** A check run also counts empty cells a fill value or `omit` takes care of, to show what the policy touches. */
  countCoveredMissing(record: readonly string[]): void {
    for (let k = 0; k < this.indexes.length; k++) {
      const policy = this.policies[k];
      if (
        policy !== undefined &&
        policy.mode !== 'fail' &&
        (this.indexes[k] ?? []).some((index) => (record[index] ?? '').trim() === '')
      ) {
        const check = this.checks[k];
        if (check) check.missingRows++;
      }
    }
  }

  private countUnseen(k: number, value: string): void {
    const counts = this.unseen[k];
    if (!counts) return;
    const count = counts.get(value);
    if (count !== undefined) counts.set(value, count + 1);
    else if (counts.size < maxUnseenValues) counts.set(value, 1);
    else this.unseenOther[k] = (this.unseenOther[k] ?? 0) + 1;
  }

  /** Unseen categories by input, for inputs that had any (plain data: crosses from the worker). */
  unseenCounts(): Record<string, UnseenCounts> {
    const result: Record<string, UnseenCounts> = {};
    this.job.mapping.forEach((entry, k) => {
      const counts = this.unseen[k];
      const other = this.unseenOther[k] ?? 0;
      if (!counts || (counts.size === 0 && other === 0)) return;
      result[entry.input] = { values: Object.fromEntries(counts), otherValues: other };
    });
    return result;
  }
}

/** Adds a later part's unseen counts to `into`. */
export function mergeUnseen(
  into: Record<string, UnseenCounts>,
  later: Record<string, UnseenCounts>,
): Record<string, UnseenCounts> {
  for (const [input, counts] of Object.entries(later)) {
    const target = into[input] ?? { values: {}, otherValues: 0 };
    into[input] = target;
    for (const [value, count] of Object.entries(counts.values))
      target.values[value] = (target.values[value] ?? 0) + count;
    target.otherValues += counts.otherValues;
  }
  return into;
}

/**
 * What the UI, the report and `--json` show: per input, the most frequent unseen values with their
 * row counts (at most 20), most frequent first, ties by value.
 */
export function topUnseen(counts: Record<string, UnseenCounts>): Record<string, Record<string, number>> {
  const result: Record<string, Record<string, number>> = {};
  for (const [input, entry] of Object.entries(counts)) {
    const top = Object.entries(entry.values)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, unseenTopValues);
    if (top.length > 0) result[input] = Object.fromEntries(top);
  }
  return result;
}

/** Rows with an unseen value, per input (every value counted, not only the top 20). */
export function unseenRowTotals(counts: Record<string, UnseenCounts>): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [input, entry] of Object.entries(counts)) {
    let total = entry.otherValues;
    for (const count of Object.values(entry.values)) total += count;
    result[input] = total;
  }
  return result;
}

/**
 * A cell as the reader reads it for a profile or drift count: the number or category the model
 * would get, or null for an empty or unreadable cell (counted as missing there). Booleans count as
 * the categories "true" and "false".
 */
export function createProfileCellReader(
  input: Pick<ModelInput, 'kind' | 'type'>,
  format: EngineJob['numberFormat'],
): (cell: string) => number | string | null {
  const fast = createCellReader(input, format);
  const fail = { mode: 'fail' } as const;
  return (cell) => {
    if (isMissing(cell)) return null;
    let value = fast(cell);
    if (value === undefined) {
      const result = readCell(cell, input, fail, format);
      if (!result.ok) return null;
      value = result.value;
    }
    return typeof value === 'boolean' ? String(value) : value;
  };
}
