import type { ModelInfo, ModelInput } from '../../shared/contract/index.ts';

/**
 * The exported service takes the same payload as `modeldock predict`: one field per model input,
 * a value for [N,1] inputs and an array of F values for [N,F] inputs.
 */
interface JsonSchemaValue {
  type: 'string' | 'number' | 'integer' | 'boolean';
  examples?: string[];
  minimum?: number;
}

interface JsonSchemaField {
  type: JsonSchemaValue['type'] | 'array';
  description: string;
  examples?: string[];
  minimum?: number;
  items?: JsonSchemaValue;
  minItems?: number;
  maxItems?: number;
}

function isInteger(input: ModelInput): boolean {
  return input.type.startsWith('int') || input.type.startsWith('uint');
}

function valueSchema(input: ModelInput): JsonSchemaValue {
  if (input.kind === 'string')
    return { type: 'string', ...(input.categories?.length ? { examples: input.categories } : {}) };
  if (input.kind === 'bool') return { type: 'boolean' };
  return {
    type: isInteger(input) ? 'integer' : 'number',
    ...(input.type.startsWith('uint') ? { minimum: 0 } : {}),
  };
}

function describeInput(input: ModelInput): string {
  const what =
    input.kind === 'string'
      ? 'Text'
      : input.kind === 'bool'
        ? 'true or false'
        : `${isInteger(input) ? 'Whole number' : 'Number'} (${input.type}); NaN and Infinity are refused`;
  const known = input.categories?.length
    ? ` Known categories: ${input.categories.join(', ')}; another value is scored as none of them, with a warning.`
    : '';
  if (input.width === 1) return `${what}.${known}`;
  const names = input.featureNames ? ` (${input.featureNames.join(', ')})` : '';
  return `Array of ${input.width} values${names}, each: ${what}.${known}`;
}

/** JSON Schema (2020-12) of one row, for manifest.json, /openapi.json and /docs. */
export function rowJsonSchema(inputs: readonly ModelInput[]) {
  const properties: Record<string, JsonSchemaField> = {};
  for (const input of inputs) {
    const value = valueSchema(input);
    properties[input.name] =
      input.width === 1
        ? { ...value, description: describeInput(input) }
        : {
            type: 'array',
            description: describeInput(input),
            items: value,
            minItems: input.width,
            maxItems: input.width,
          };
  }
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    required: inputs.map((input) => input.name),
    properties,
    // Fields that are not inputs are ignored with a warning by default (UNKNOWN_FIELDS=refuse refuses
    // them): the schema describes the default, so a client validating against it accepts whole records.
    additionalProperties: true,
  };
}

/** What each model output means, in words, for manifest.json, /openapi.json and the README. */
export function describeOutputs(info: ModelInfo) {
  const labels = info.classLabels?.map(String) ?? [];
  const positive = info.positiveClass === undefined ? undefined : String(info.positiveClass);
  const meaning: Record<string, string> = {};
  if (info.task === 'binary-classification' && positive !== undefined) {
    meaning.probability = `Probability that the row belongs to class ${positive} (the positive class), between 0 and 1.`;
  }
  if (info.task === 'binary-classification' || info.task === 'multiclass-classification') {
    meaning.label = "The predicted class (the model's own label output, else the most probable class).";
    meaning.probabilities = `Probability of each class, keyed by class label (${labels.join(', ')}).`;
  }
  if (info.task === 'regression') meaning.value = 'The predicted value.';
  const roleMeaning: Record<string, string> = {
    label: 'Predicted class label per row.',
    probabilities: `Class probabilities per row, columns in the order ${labels.join(', ') || 'of the class labels'}.`,
    value: 'Predicted value per row.',
    scores: 'Raw decision scores per row.',
    other: 'Another model output (returned by the OIP v2 endpoint).',
  };
  const outputs = info.outputs.map((output) => ({
    ...output,
    meaning: roleMeaning[output.role] ?? roleMeaning.other,
  }));
  return { outputs, meaning };
}
