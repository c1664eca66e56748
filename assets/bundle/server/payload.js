// Validates and coerces a JSON request body against the model's inputs (manifest.json "model.inputs"),
// with the same rules ModelDock applies in its payload panel and `modeldock predict` (a JavaScript port
// of ModelDock's main/models/payload.ts; ModelDock's tests run both on the same payloads):
// - one row keyed by input name, or {"instances": [row, ...]} (at most MAX_BATCH rows);
// - [N,1] inputs take a value (or a one-element array), [N,F] inputs an array of F values;
// - numbers must be finite; numeric strings ("5") are read as numbers and reported as coerced;
//   NaN and Infinity are refused; integer inputs refuse fractions and values outside their type's range;
// - string inputs take strings (finite numbers are read as text, reported); a category the model did
//   not see in training is scored and reported as a warning, as scikit-learn's handle_unknown='ignore';
// - a missing field or null is refused;
// - unknown fields are refused, as in ModelDock (UNKNOWN_FIELDS=reject, the default); with
//   UNKNOWN_FIELDS=ignore they are dropped and listed in the response warnings, as FastAPI does.

/** A validation failure: a 422 with one entry per problem, in FastAPI's `detail` shape. */
export class PayloadError extends Error {
  /** @param {{field: string, row?: number, message: string}[]} issues */
  constructor(issues) {
    super(describeIssues(issues));
    this.name = 'PayloadError';
    this.issues = issues;
    this.detail = issues.map((issue) => ({
      loc: [
        'body',
        ...(issue.row === undefined ? [] : ['instances', issue.row]),
        ...(issue.field ? [issue.field] : []),
      ],
      msg: issue.message,
      type: 'value_error',
    }));
  }
}

function isPlainObject(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "a string", "the number 3", "null"…: how a JSON value is named in messages. */
export function describeValue(value) {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return `an array of ${value.length} value${value.length === 1 ? '' : 's'}`;
  if (typeof value === 'string')
    return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  if (typeof value === 'boolean') return `the boolean ${value}`;
  return `a ${typeof value === 'object' ? 'JSON object' : typeof value}`;
}

function expectedValue(input) {
  if (input.kind === 'string') return 'a string';
  if (input.kind === 'bool') return 'true or false';
  if (input.type.startsWith('int') || input.type.startsWith('uint')) return `a whole number (${input.type})`;
  return 'a number';
}

function expectedField(input) {
  if (input.width === 1) return expectedValue(input);
  const names = input.featureNames ? ` (${input.featureNames.join(', ')})` : '';
  return `an array of ${input.width} values${names}, each ${expectedValue(input)}`;
}

const integerRanges = {
  int8: [-128, 127],
  int16: [-32768, 32767],
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
  uint8: [0, 255],
  uint16: [0, 65535],
  uint32: [0, 4294967295],
  uint64: [0, Number.MAX_SAFE_INTEGER],
};

/** Coerces one JSON value to what the input takes: {value, coercedFrom?} or {error}. */
export function coerceValue(input, raw) {
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
  let value;
  let coercedFrom;
  if (typeof raw === 'number') {
    value = raw;
  } else if (typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw.trim()))) {
    value = Number(raw.trim());
    coercedFrom = describeValue(raw);
  } else {
    return { error: `expected ${expectedValue(input)}, got ${describeValue(raw)}` };
  }
  if (!Number.isFinite(value)) return { error: `expected a finite number, got ${value}` };
  const range = integerRanges[input.type];
  if (range) {
    if (!Number.isInteger(value)) return { error: `expected ${expectedValue(input)}, got ${value}` };
    if (value < range[0] || value > range[1]) {
      return { error: `${value} is outside the range of ${input.type} (${range[0]} to ${range[1]})` };
    }
  }
  return coercedFrom === undefined ? { value } : { value, coercedFrom };
}

/** One row keyed by input name → {values: {input: [width values]}} or issues. */
export function checkRow(inputs, row, rowIndex, unknownFields = 'reject') {
  const at = rowIndex === undefined ? {} : { row: rowIndex };
  const issues = [];
  const warnings = [];
  if (!isPlainObject(row)) {
    const message = `${rowIndex === undefined ? 'the payload' : `instance ${rowIndex}`} must be a JSON object keyed by input name, got ${describeValue(row)}`;
    return { issues: [{ field: '', ...at, message }], warnings };
  }
  const values = {};
  for (const input of inputs) {
    if (!Object.hasOwn(row, input.name) || row[input.name] === undefined) {
      issues.push({ field: input.name, ...at, message: `missing; the model needs ${expectedField(input)}` });
      continue;
    }
    const raw = row[input.name];
    let items;
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
    const coerced = [];
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
      if (input.categories && typeof result.value === 'string' && !input.categories.includes(result.value)) {
        warnings.push({
          code: 'unknown-category',
          field,
          ...at,
          knownCategories: input.categories,
          message: `${field}: "${result.value}" is not a category the model knows (it knows ${input.categories.join(', ')}); it is scored as an unseen value.`,
        });
      }
    });
    values[input.name] = coerced;
  }
  const known = new Set(inputs.map((input) => input.name));
  const extra = Object.keys(row).filter((key) => !known.has(key));
  if (extra.length > 0) {
    if (unknownFields === 'ignore') {
      for (const key of extra) {
        warnings.push({
          code: 'ignored-field',
          field: key,
          ...at,
          message: `${key}: not an input of this model; ignored.`,
        });
      }
    } else {
      issues.push({
        field: extra.join(', '),
        ...at,
        message: `${extra.length === 1 ? 'is not an input' : 'are not inputs'} of this model (its inputs are ${inputs.map((input) => input.name).join(', ')})`,
      });
    }
  }
  return issues.length > 0 ? { issues, warnings } : { values, issues, warnings };
}

/** One sentence listing the issues: "annual_income: expected a number, got the string "x"; …". */
export function describeIssues(issues) {
  const shown = issues.slice(0, 5).map((issue) => {
    const where = issue.row === undefined ? '' : `instance ${issue.row}: `;
    return issue.field ? `${where}${issue.field}: ${issue.message}` : `${where}${issue.message}`;
  });
  const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
  return `The payload is not valid: ${shown.join('; ')}${more}.`;
}

/**
 * Validates a /predict body: one row, or {"instances": [...]}. Throws PayloadError; returns coerced rows.
 * @param {unknown} payload
 * @param {{inputs: object[], maxBatch: number, unknownFields?: 'reject'|'ignore'}} options
 */
export function readPayload(payload, options) {
  const { inputs, maxBatch } = options;
  if (!isPlainObject(payload)) {
    throw new PayloadError([
      {
        field: '',
        message: `the payload must be a JSON object keyed by input name (or {"instances": [...]} for several rows), got ${describeValue(payload)}`,
      },
    ]);
  }
  const many = Object.hasOwn(payload, 'instances') && !inputs.some((input) => input.name === 'instances');
  const rowsIn = many ? payload.instances : [payload];
  if (many) {
    const extra = Object.keys(payload).filter((key) => key !== 'instances');
    if (!Array.isArray(payload.instances)) {
      throw new PayloadError([
        { field: 'instances', message: `expected an array of rows, got ${describeValue(payload.instances)}` },
      ]);
    }
    if (extra.length > 0)
      throw new PayloadError([{ field: extra.join(', '), message: 'unexpected next to "instances"' }]);
    if (rowsIn.length === 0)
      throw new PayloadError([{ field: 'instances', message: 'is empty; give at least one row' }]);
    if (rowsIn.length > maxBatch) {
      throw new PayloadError([
        {
          field: 'instances',
          message: `has ${rowsIn.length} rows; this service takes at most ${maxBatch} per request (MAX_BATCH)`,
        },
      ]);
    }
  }
  const rows = [];
  const issues = [];
  const warnings = [];
  rowsIn.forEach((row, index) => {
    const check = checkRow(inputs, row, many ? index : undefined, options.unknownFields);
    issues.push(...check.issues);
    warnings.push(...check.warnings);
    if (check.values) rows.push(check.values);
  });
  if (issues.length > 0) throw new PayloadError(issues);
  return { batch: many, rows, warnings };
}
