// Validates and coerces a JSON request body against the model's inputs (manifest.json "model.inputs")
// with ModelDock's own rules: checkPayload and checkRow come from runtime.generated.js, which is
// generated from ModelDock's main/models/payload.ts (see that file for the rules: finite numbers,
// numeric strings read as numbers with a warning, unknown categories scored with a warning, …).
//
// What this service adds on top, on purpose:
// - at most MAX_BATCH rows per {"instances": [...]} request (ModelDock's own limit is larger);
// - nothing for unknown fields: ModelDock's one rule (ignored with an `ignored-field` warning, or
//   refused with UNKNOWN_FIELDS=refuse) is checkPayload's and checkRow's `unknownFields` option;
// - failures are a PayloadError: a 422 with one entry per problem, in FastAPI's `detail` shape.
import { checkPayload, checkRow, describeIssues } from './runtime.generated.js';

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

/**
 * The rows of a well-formed {"instances": [row, ...]} body (an array of at least one row and nothing
 * next to it), else undefined: every other body, malformed envelopes included, goes to checkPayload.
 */
function wellFormedInstances(payload, inputs) {
  if (!isPlainObject(payload) || !Object.hasOwn(payload, 'instances')) return undefined;
  // A model with an input called "instances" always reads the body as one row, as in ModelDock.
  if (inputs.some((input) => input.name === 'instances')) return undefined;
  const rows = payload.instances;
  if (!Array.isArray(rows) || rows.length === 0 || Object.keys(payload).length !== 1) return undefined;
  return rows;
}

/**
 * Validates a /predict body: one row, or {"instances": [...]}. Throws PayloadError; returns coerced rows.
 * @param {unknown} payload
 * @param {{inputs: object[], maxBatch: number, unknownFields?: 'ignore'|'refuse'}} options
 */
export function readPayload(payload, options) {
  const { inputs, maxBatch, unknownFields = 'ignore' } = options;
  const instances = wellFormedInstances(payload, inputs);
  if (instances === undefined) {
    // One row, or an envelope ModelDock refuses with its own message.
    const check = checkPayload(inputs, payload, { unknownFields });
    if (!check.ok) throw new PayloadError(check.issues);
    return { batch: check.many, rows: check.rows, warnings: check.warnings };
  }
  if (instances.length > maxBatch) {
    throw new PayloadError([
      {
        field: 'instances',
        message: `has ${instances.length} rows; this service takes at most ${maxBatch} per request (MAX_BATCH)`,
      },
    ]);
  }
  // Row by row with ModelDock's checkRow (checkPayload would hold the rows to its own limit, not MAX_BATCH).
  const rows = [];
  const issues = [];
  const warnings = [];
  instances.forEach((row, index) => {
    const check = checkRow(inputs, row, index, { unknownFields });
    issues.push(...check.issues);
    warnings.push(...check.warnings);
    if (check.values) rows.push(check.values);
  });
  if (issues.length > 0) throw new PayloadError(issues);
  return { batch: true, rows, warnings };
}
