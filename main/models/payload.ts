/**
 * Payload validation and coercion against a model's inputs. Pure and worker-safe: the batch
 * engine calls `checkRow` per CSV row, the model service `checkPayload` per request, and the
 * exported server mirrors the same rules.
 */
import type { ModelInput, PredictionWarning } from '../../shared/contract/index.ts';

/** One value of one input after coercion. */
export type FieldValue = number | string | boolean;

/** One row ready for `rowsToFeeds`: every input name → its `width` values. */
export type CoercedRow = Record<string, FieldValue[]>;

/** One problem with a payload, for a person: which field (and row), and what is wrong. */
export interface PayloadIssue {
  field: string;
  row?: number;
  message: string;
}

export interface RowCheck {
  /** Present when the row has no issues. */
  values?: CoercedRow;
  issues: PayloadIssue[];
  warnings: PredictionWarning[];
}

/**
 * What happens to a field that is not an input of the model: `ignore` (the default everywhere: CRMs
 * send whole records, and the guide's FastAPI service drops them too) predicts without it and says so
 * in an `ignored-field` warning; `refuse` makes it a payload issue. The app's Try setting, the CLI's
 * `--strict-fields` and the exported service's `UNKNOWN_FIELDS=refuse` all choose between these two.
 */
export type UnknownFieldsPolicy = 'ignore' | 'refuse';

export interface CheckOptions {
  /** Default `ignore`. */
  unknownFields?: UnknownFieldsPolicy;
}

/** The fields (keys of a row, or tensor names) that are not inputs of the model, in the order given. */
export function unknownFieldsOf(
  inputs: readonly Pick<ModelInput, 'name'>[],
  keys: Iterable<string>,
): string[] {
  const known = new Set(inputs.map((input) => input.name));
  return [...keys].filter((key) => !known.has(key));
}

/** The warning for one ignored field: the same words on every surface. */
export function ignoredFieldWarning(field: string, rowIndex?: number): PredictionWarning {
  return {
    code: 'ignored-field',
    field,
    ...(rowIndex === undefined ? {} : { row: rowIndex }),
    message: `${field}: not an input of this model; ignored.`,
  };
}

/** The issue for fields refused under the `refuse` policy: one issue naming them all. */
export function refusedFieldsIssue(
  inputs: readonly Pick<ModelInput, 'name'>[],
  fields: readonly string[],
  rowIndex?: number,
): PayloadIssue {
  return {
    field: fields.join(', '),
    ...(rowIndex === undefined ? {} : { row: rowIndex }),
    message: `${fields.length === 1 ? 'is not an input' : 'are not inputs'} of this model (its inputs are ${inputs.map((input) => input.name).join(', ')}); fields that are not inputs are refused in strict mode`,
  };
}

/** The distinct ignored field names in a list of warnings, in first-seen order (responses list these). */
export function ignoredFields(warnings: readonly PredictionWarning[]): string[] {
  const fields = new Set<string>();
  for (const warning of warnings) if (warning.code === 'ignored-field') fields.add(warning.field);
  return [...fields];
}

export type PayloadCheck =
  | { ok: true; rows: CoercedRow[]; many: boolean; warnings: PredictionWarning[] }
  | { ok: false; issues: PayloadIssue[]; message: string };

/** More rows than this in one interactive request belong in batch scoring. */
export const maxInstances = 10_000;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "a string", "the number 3", "null"…: how a JSON value is named in messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length} value${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return `a ${typeof value === 'object' ? 'JSON object' : typeof value}`;
}

/** What one value of an input must be, for messages: "a number", "a whole number (int64)", "a string". */
export function expectedValue(input: Pick<ModelInput, 'kind' | 'type'>): string {
  if (input.kind === 'string') return 'a string';
  if (input.kind === 'bool') return 'true or false';
  if (input.type.startsWith('int') || input.type.startsWith('uint')) return `a whole number (${input.type})`;
  return 'a number';
}

function expectedField(input: ModelInput): string {
  if (input.width === 1) return expectedValue(input);
  const names = input.featureNames ? ` (${input.featureNames.join(', ')})` : '';
  return `an array of ${input.width} values${names}, each ${expectedValue(input)}`;
}

const integerRanges: Record<string, [number, number]> = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** Largest finite magnitude of the float types: anything beyond becomes Infinity in the tensor. */
const floatLimits: Record<string, { max: number; shown: string }> = {
  float: { max: 3.4028234663852886e38, shown: '3.4e38' },
  float16: { max: 65504, shown: '65504' },
};

/**
 * True when a finite number fits the input's element type as coerceValue accepts it: within the
 * float type's range, and a whole number within range for integer types. The batch engine's fast
 * path asks this per cell instead of building coerceValue's result objects.
 */
export function numberFits(type: string, value: number): boolean {
  const floatLimit = floatLimits[type];
  if (floatLimit && Math.abs(value) > floatLimit.max) return false;
  const range = integerRanges[type];
  return !range || (Number.isInteger(value) && value >= range[0] && value <= range[1]);
}

type Coerced = { value: FieldValue; coercedFrom?: string } | { error: string };

/** Coerces one JSON value to what the input takes. Numeric strings are accepted with a warning. */
export function coerceValue(input: Pick<ModelInput, 'kind' | 'type'>, raw: unknown): Coerced {
  if (input.kind === 'string') {
    if (typeof raw === 'string') return { value: raw };
    if (typeof raw === 'number' && Number.isFinite(raw))
      return { value: String(raw), coercedFrom: describeValue(raw) };
    return { error: `expected a string, got ${describeValue(raw)}` };
  }
  if (input.kind === 'bool') {
    if (typeof raw === 'boolean') return { value: raw };
    if (raw === 0 || raw === 1) return { value: raw === 1, coercedFrom: describeValue(raw) };
    if (raw === 'true' || raw === 'false') return { value: raw === 'true', coercedFrom: describeValue(raw) };
    return { error: `expected true or false, got ${describeValue(raw)}` };
  }
  let value: number;
  let coercedFrom: string | undefined;
  if (typeof raw === 'number') {
    value = raw;
  } else if (typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw.trim()))) {
    value = Number(raw.trim());
    coercedFrom = describeValue(raw);
  } else {
    return { error: `expected ${expectedValue(input)}, got ${describeValue(raw)}` };
  }
  if (!Number.isFinite(value)) return { error: `expected a finite number, got ${value}` };
  const floatLimit = floatLimits[input.type];
  if (floatLimit && Math.abs(value) > floatLimit.max) {
    // The tensor would hold Infinity and the model would answer with a confident nonsense score.
    return { error: `${value} is too large for this model's ${input.type} input (max ±${floatLimit.shown})` };
  }
  const range = integerRanges[input.type];
  if (range) {
    if (!Number.isInteger(value)) return { error: `expected ${expectedValue(input)}, got ${value}` };
    if (value < range[0] || value > range[1]) {
      if (input.type === 'int64' || input.type === 'uint64') {
        // JSON numbers are doubles: beyond 2^53 they no longer hold every whole number exactly.
        const limit = input.type === 'int64' ? `±${range[1]}` : `0 to ${range[1]}`;
        return {
          error: `${value} is outside the range ModelDock can pass exactly to ${input.type} (${limit})`,
        };
      }
      return { error: `${value} is outside the range of ${input.type} (${range[0]} to ${range[1]})` };
    }
  }
  return coercedFrom === undefined ? { value } : { value, coercedFrom };
}

/**
 * The one rule for unseen categories, used by single predictions (a warning), the CSV reader (counted
 * per input, or a row error in strict mode), Compare and the exported service's /metrics: a string
 * value of an input whose categories the graph knows that is not one of them. The empty string an
 * optional input gets for a left-out value is the missing marker, not a category. Undefined for an
 * input without known categories (nothing is unseen there).
 */
export function unseenCategoryRule(
  input: Pick<ModelInput, 'categories' | 'optional'>,
): ((value: FieldValue) => boolean) | undefined {
  if (!input.categories || input.categories.length === 0) return undefined;
  const known = new Set(input.categories);
  const optional = input.optional === true;
  return (value) => typeof value === 'string' && !known.has(value) && !(optional && value === '');
}

/**
 * Validates and coerces one row (an object keyed by input name). [N,1] inputs take a scalar
 * (or a one-element array), [N,F] inputs an array of F values. Unknown categories are warnings,
 * not errors: the model still predicts (sklearn's handle_unknown='ignore' does the same).
 */
export function checkRow(
  inputs: readonly ModelInput[],
  row: unknown,
  rowIndex?: number,
  options: CheckOptions = {},
): RowCheck {
  const at = rowIndex === undefined ? {} : { row: rowIndex };
  const issues: PayloadIssue[] = [];
  const warnings: PredictionWarning[] = [];
  if (!isPlainObject(row)) {
    const message = `${rowIndex === undefined ? 'the payload' : `instance ${rowIndex}`} must be a JSON object keyed by input name, got ${describeValue(row)}`;
    return { issues: [{ field: '', ...at, message }], warnings };
  }
  const values: CoercedRow = {};
  for (const input of inputs) {
    const absent = !Object.hasOwn(row, input.name) || row[input.name] === undefined;
    if (input.optional && (absent || row[input.name] === null)) {
      // The converted pipeline reads NaN / "" as scikit-learn reads a missing key or value.
      values[input.name] = [input.kind === 'string' ? '' : Number.NaN];
      continue;
    }
    if (absent) {
      issues.push({ field: input.name, ...at, message: `missing; the model needs ${expectedField(input)}` });
      continue;
    }
    const raw = row[input.name];
    let items: unknown[];
    if (Array.isArray(raw)) {
      if (raw.length !== input.width) {
        issues.push({
          field: input.name,
          ...at,
          message: `expected ${expectedField(input)}, got ${describeValue(raw)}`,
        });
        continue;
      }
      items = raw;
    } else if (input.width === 1) {
      items = [raw];
    } else {
      issues.push({
        field: input.name,
        ...at,
        message: `expected ${expectedField(input)}, got ${describeValue(raw)}`,
      });
      continue;
    }
    const coerced: FieldValue[] = [];
    const isUnseen = unseenCategoryRule(input);
    items.forEach((item, position) => {
      const field = input.width === 1 ? input.name : `${input.name}[${position}]`;
      const result = coerceValue(input, item);
      if ('error' in result) {
        issues.push({ field, ...at, message: result.error });
        return;
      }
      coerced.push(result.value);
      if (result.coercedFrom) {
        warnings.push({
          code: 'coerced-value',
          field,
          ...at,
          message: `${field}: ${result.coercedFrom} was read as ${JSON.stringify(result.value)}.`,
        });
      }
      if (isUnseen?.(result.value)) {
        warnings.push({
          code: 'unknown-category',
          field,
          ...at,
          knownCategories: input.categories,
          message: `${field}: "${result.value}" is not a category the model knows (it knows ${(input.categories ?? []).join(', ')}); it is scored as an unseen value.`,
        });
      }
    });
    values[input.name] = coerced;
  }
  const extra = unknownFieldsOf(inputs, Object.keys(row));
  if (extra.length > 0) {
    if (options.unknownFields === 'refuse') issues.push(refusedFieldsIssue(inputs, extra, rowIndex));
    // After the row's own warnings: the fields it does use come first.
    else for (const field of extra) warnings.push(ignoredFieldWarning(field, rowIndex));
  }
  return issues.length > 0 ? { issues, warnings } : { values, issues, warnings };
}

/** One sentence listing the issues: "annual_income: expected a number, got the string "x"; …". */
export function describeIssues(issues: readonly PayloadIssue[]): string {
  const shown = issues.slice(0, 5).map((issue) => {
    const where = issue.row === undefined ? '' : `instance ${issue.row}: `;
    return issue.field ? `${where}${issue.field}: ${issue.message}` : `${where}${issue.message}`;
  });
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return `The payload is not valid: ${shown.join('; ')}${more}.`;
}

/**
 * Validates a predict payload: one row keyed by input name, or {instances: [row, …]}.
 * (A model with an input called "instances" always gets the one-row reading.)
 */
export function checkPayload(
  inputs: readonly ModelInput[],
  payload: unknown,
  options: CheckOptions = {},
): PayloadCheck {
  const fail = (issues: PayloadIssue[]): PayloadCheck => ({
    ok: false,
    issues,
    message: describeIssues(issues),
  });
  if (!isPlainObject(payload)) {
    return fail([
      {
        field: '',
        message: `the payload must be a JSON object keyed by input name (or {"instances": [...]} for several rows), got ${describeValue(payload)}`,
      },
    ]);
  }
  const many = Object.hasOwn(payload, 'instances') && !inputs.some((input) => input.name === 'instances');
  const rowsIn: unknown[] = many ? (payload.instances as unknown[]) : [payload];
  if (many) {
    const extra = Object.keys(payload).filter((key) => key !== 'instances');
    if (!Array.isArray(payload.instances)) {
      return fail([
        { field: 'instances', message: `expected an array of rows, got ${describeValue(payload.instances)}` },
      ]);
    }
    if (extra.length > 0) {
      return fail([{ field: extra.join(', '), message: 'unexpected next to "instances"' }]);
    }
    if (rowsIn.length === 0)
      return fail([{ field: 'instances', message: 'is empty; give at least one row' }]);
    if (rowsIn.length > maxInstances) {
      return fail([
        {
          field: 'instances',
          message: `has ${rowsIn.length} rows; at most ${maxInstances} per request (use batch scoring for more)`,
        },
      ]);
    }
  }
  const rows: CoercedRow[] = [];
  const issues: PayloadIssue[] = [];
  const warnings: PredictionWarning[] = [];
  rowsIn.forEach((row, index) => {
    const check = checkRow(inputs, row, many ? index : undefined, options);
    issues.push(...check.issues);
    warnings.push(...check.warnings);
    if (check.values) rows.push(check.values);
  });
  if (issues.length > 0) return fail(issues);
  return { ok: true, rows, many, warnings };
}
