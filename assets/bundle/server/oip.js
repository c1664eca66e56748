// Open Inference Protocol v2 (KServe's "V2 protocol"; Triton, Seldon and KServe clients speak it):
// health, server and model metadata, model readiness and inference, each model route also under
// /versions/<version>. Errors answer {"error": "<message>"}, as the protocol's REST spec says.
// Value rules (finite, within the element type's range, whole numbers for integer types) are
// ModelDock's own coerceValue from runtime.generated.js, so /v2 refuses exactly what /predict refuses.
import { oipDatatypes, outputDatatype, tensorFromOip } from './model.js';
import {
  coerceValue,
  firstRows,
  ignoredFieldWarning,
  paddedRowCount,
  padRows,
  refusedFieldsIssue,
  tensorValues,
  unknownFieldsOf,
} from './runtime.generated.js';

/** A refused OIP request: a status and a message for a person, sent as {"error": message}. */
export class OipError extends Error {
  constructor(statusCode, message) {
    super(message);
    this.statusCode = statusCode;
  }
}

/** Routes whose errors use the protocol's {"error": "<message>"} body. */
export function isOipRoute(url) {
  return url === '/v2' || url.startsWith('/v2/') || url.startsWith('/v2?');
}

/** The platform name the protocol gives ONNX models ("<framework>_<format>", as Triton reports them). */
export const oipPlatform = 'onnx_onnxv1';

function clip(value, length = 60) {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? String(value));
  return text.length > length ? `${text.slice(0, length)}…` : text;
}

/**
 * @param {import('fastify').FastifyInstance} app
 * @param {{manifest: object, model: import('./model.js').LoadedModel, config: object,
 *   state: {ready: boolean}, onScored: (outputs: object, rows: number, columns: object) => void,
 *   countIgnoredFields: (fields: string[]) => void}} options
 */
export function registerOpenInferenceRoutes(
  app,
  { manifest, model, config, state, onScored, countIgnoredFields },
) {
  const spec = manifest.model;
  const describeTensor = (tensor) => ({
    name: tensor.name,
    datatype: oipDatatypes[tensor.type] ?? 'BYTES',
    shape: tensor.shape.map((dim) => (typeof dim === 'number' ? dim : -1)),
  });
  const modelMetadata = {
    name: manifest.name,
    versions: [manifest.version],
    platform: oipPlatform,
    inputs: spec.inputs.map(describeTensor),
    outputs: spec.outputs.map(describeTensor),
  };
  const outputNames = spec.outputs.map((output) => output.name);
  const requireModel = (params) => {
    if (params.name !== manifest.name) {
      throw new OipError(
        404,
        `This service serves the model "${manifest.name}", not "${clip(params.name)}".`,
      );
    }
    if (params.version !== undefined && params.version !== manifest.version) {
      throw new OipError(
        404,
        `This service serves version "${manifest.version}" of "${manifest.name}", not "${clip(params.version)}".`,
      );
    }
  };

  app.get('/v2', async () => ({
    name: 'modeldock-service',
    version: manifest.modeldock.version,
    extensions: [],
  }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) =>
    reply.code(state.ready ? 200 : 503).send({ ready: state.ready }),
  );

  const metadata = async (request) => {
    requireModel(request.params);
    return modelMetadata;
  };
  const ready = async (request, reply) => {
    requireModel(request.params);
    return reply.code(state.ready ? 200 : 503).send({ name: manifest.name, ready: state.ready });
  };
  const infer = async (request) => {
    requireModel(request.params);
    const { feeds, rows, columns, requested, ignored } = readInferenceRequest(request.body, spec, {
      maxBatch: config.maxBatch,
      outputNames,
      unknownFields: config.unknownFields,
    });
    countIgnoredFields(ignored);
    const outputs = firstRows(
      await model.runForClient(feeds, (reason) => {
        return new OipError(400, `The model could not score these tensors: ${reason}`);
      }),
      spec.inputs,
      rows,
    );
    onScored(outputs, rows, columns);
    const body = request.body;
    return {
      model_name: manifest.name,
      model_version: manifest.version,
      id: typeof body.id === 'string' ? body.id : request.id,
      ...(ignored.length > 0
        ? { parameters: { ignored, warnings: ignored.map((field) => ignoredFieldWarning(field)) } }
        : {}),
      outputs: (requested ?? outputNames).map((name) => {
        const tensor = outputs[name];
        return {
          name,
          datatype: outputDatatype(tensor),
          shape: tensor.dims.map(Number),
          data: tensorValues(tensor),
        };
      }),
    };
  };
  for (const base of ['/v2/models/:name', '/v2/models/:name/versions/:version']) {
    app.get(base, metadata);
    app.get(`${base}/ready`, ready);
    app.post(`${base}/infer`, infer);
  }
}

/**
 * Checks an inference request against the model and builds its feeds. Inputs the model may go
 * without (`optional`, a DictVectorizer's keys) may be left out, as on /predict: they are filled with
 * what a missing value is there (NaN, or "" for strings).
 */
export function readInferenceRequest(body, spec, { maxBatch, outputNames, unknownFields }) {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || !Array.isArray(body.inputs)) {
    throw new OipError(
      400,
      'An inference request is a JSON object with "inputs": [{name, shape, datatype, data}, …].',
    );
  }
  if (body.inputs.length === 0)
    throw new OipError(400, '"inputs" is empty; send one tensor per model input.');
  const byName = new Map();
  for (const tensor of body.inputs) {
    if (tensor === null || typeof tensor !== 'object' || typeof tensor.name !== 'string') {
      throw new OipError(400, 'Every entry of "inputs" needs a "name", a "shape", a "datatype" and "data".');
    }
    if (byName.has(tensor.name)) throw new OipError(400, `Input "${tensor.name}" is sent twice.`);
    byName.set(tensor.name, tensor);
  }

  // Tensors that are not model inputs follow ModelDock's one rule for unknown fields (payload.ts).
  const ignored = unknownFieldsOf(spec.inputs, [...byName.keys()]).map((name) => name.slice(0, 60));
  if (ignored.length > 0 && unknownFields === 'refuse') {
    const issue = refusedFieldsIssue(spec.inputs, ignored);
    throw new OipError(400, `${issue.field}: ${issue.message} (UNKNOWN_FIELDS=refuse).`);
  }

  let requested;
  if (body.outputs !== undefined) {
    if (!Array.isArray(body.outputs)) {
      throw new OipError(400, '"outputs" must be an array of {"name": …} naming the outputs wanted.');
    }
    requested = [];
    for (const output of body.outputs) {
      const name = output?.name;
      if (!outputNames.includes(name)) {
        throw new OipError(
          400,
          `The model has no output named "${clip(name)}"; its outputs are ${outputNames.join(', ')}.`,
        );
      }
      if (!requested.includes(name)) requested.push(name);
    }
  }

  const columns = {};
  const shapes = {};
  let rows;
  for (const input of spec.inputs) {
    const tensor = byName.get(input.name);
    if (!tensor) continue;
    const { values, shape } = readTensor(tensor, input);
    if (rows === undefined) rows = shape[0];
    if (shape[0] !== rows) {
      throw new OipError(
        400,
        `Every input must have the same number of rows (shape[0]); "${input.name}" has ${shape[0]}, others ${rows}.`,
      );
    }
    columns[input.name] = values;
    shapes[input.name] = shape;
  }
  if (rows === undefined) {
    // Only tensors the model ignores: nothing says how many rows to score (it was a 500 before).
    throw new OipError(
      400,
      `None of the tensors is a model input; send at least one of ${spec.inputs.map((input) => input.name).join(', ')}.`,
    );
  }
  if (rows > maxBatch) {
    throw new OipError(400, `At most ${maxBatch} rows per request (MAX_BATCH); got ${rows}.`);
  }
  for (const input of spec.inputs) {
    if (byName.has(input.name)) continue;
    if (!input.optional) throw new OipError(400, `Input "${input.name}" is missing.`);
    // The converted pipeline reads NaN / "" as scikit-learn reads a missing key (as /predict does).
    const values = new Array(rows * input.width).fill(input.kind === 'string' ? '' : Number.NaN);
    columns[input.name] = values;
    shapes[input.name] = input.shape.length > 1 ? [rows, input.width] : [rows];
  }
  // Runs take ModelDock's run size (tensors.ts runRowMultiple): a row's numbers do not depend on the
  // rows sent with it, and equal /predict's and the app's to the last bit.
  const padded = paddedRowCount(spec.inputs, rows);
  const feeds = {};
  for (const input of spec.inputs) {
    const values = columns[input.name];
    const shape = shapes[input.name];
    feeds[input.name] =
      padded === rows
        ? tensorFromOip(input, values, shape)
        : tensorFromOip(input, padRows(values, values.length / rows, rows, padded), [
            padded,
            ...shape.slice(1),
          ]);
  }
  return { feeds, rows, columns, requested, ignored };
}

/**
 * `data` flattened in row-major order. The protocol allows it flat or nested as the shape is, so
 * nesting deeper than the shape's rank is refused before it is walked (7,000 levels of [[[…]]]
 * would otherwise overflow the stack).
 */
function flattenData(data, rank) {
  if (!Array.isArray(data)) return undefined;
  const out = [];
  const walk = (value, depth) => {
    for (const item of value) {
      if (!Array.isArray(item)) out.push(item);
      else if (depth + 1 >= rank) return false;
      else if (!walk(item, depth + 1)) return false;
    }
    return true;
  };
  return walk(data, 0) ? out : null;
}

/** Checks one OIP input tensor against the model input; returns flat values and the shape. */
function readTensor(tensor, input) {
  const expected = oipDatatypes[input.type];
  if (tensor.datatype !== expected) {
    throw new OipError(
      400,
      `Input "${input.name}" must have datatype ${expected}, got ${clip(tensor.datatype, 20)}.`,
    );
  }
  const shape = tensor.shape;
  if (
    !Array.isArray(shape) ||
    shape.length === 0 ||
    !shape.every((dim) => Number.isInteger(dim) && dim >= 0)
  ) {
    throw new OipError(
      400,
      `Input "${input.name}" needs a shape of whole numbers, such as [1, ${input.width}].`,
    );
  }
  const wantRank = input.shape.length;
  const rowWidth = shape.slice(1).reduce((a, b) => a * b, 1);
  if (shape.length !== wantRank || (wantRank > 1 && rowWidth !== input.width) || shape[0] < 1) {
    throw new OipError(
      400,
      `Input "${input.name}" must have shape [rows${wantRank > 1 ? `, ${input.width}` : ''}].`,
    );
  }
  const values = flattenData(tensor.data, shape.length);
  if (values === null) {
    throw new OipError(
      400,
      `Input "${input.name}" has "data" nested deeper than its shape [${shape.join(', ')}].`,
    );
  }
  const count = shape.reduce((a, b) => a * b, 1);
  if (!values || values.length !== count) {
    throw new OipError(
      400,
      `Input "${input.name}" has shape [${shape.join(', ')}] and needs ${count} values in "data".`,
    );
  }
  for (let index = 0; index < values.length; index++) {
    const problem = valueProblem(input, values[index], expected);
    if (problem) throw new OipError(400, `Input "${input.name}", value ${index}: ${problem}.`);
  }
  return { values, shape };
}

/** Why a value is not one of the datatype's, or undefined. JSON types are strict on /v2. */
function valueProblem(input, value, datatype) {
  if (input.type === 'string')
    return typeof value === 'string' ? undefined : `${clip(value, 40)} is not a string (BYTES)`;
  if (input.type === 'bool')
    return typeof value === 'boolean' ? undefined : `${clip(value, 40)} is not true or false (BOOL)`;
  if (typeof value !== 'number') return `${clip(value, 40)} is not a number (${datatype})`;
  const coerced = coerceValue(input, value);
  return 'error' in coerced ? coerced.error : undefined;
}
