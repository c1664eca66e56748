import type {
  ModelInfo,
  ModelInput,
  PredictionWarning,
  PredictManyResult,
  PredictResult,
} from '../../shared/contract/index.ts';

/** The client payload from the lead-scoring guide; used as the first sample when a model takes exactly its fields. */
export const guidePayload = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };

export interface BundleSample {
  /** File name under samples/ (without .json). */
  name: string;
  description: string;
  payload: Record<string, unknown>;
  /** What ModelDock answered for this payload: the service must return the same numbers (to 1e-6). */
  expected: Record<string, unknown>;
  /** ModelDock's warnings for the payload (an unknown category, say), for the README. */
  warnings: PredictionWarning[];
}

/** One plausible value of an input: its known categories in turn, small numbers. */
function sampleValue(input: ModelInput, variant: number, position: number): unknown {
  if (input.kind === 'string') {
    const categories = input.categories ?? [];
    return categories.length > 0 ? categories[(variant + position) % categories.length] : 'example';
  }
  if (input.kind === 'bool') return (variant + position) % 2 === 1;
  const n = variant + position + 1;
  return input.type.startsWith('int') || input.type.startsWith('uint') ? n : n * 1.5;
}

/** A row built from the input schema: a value for [N,1] inputs, an array for [N,F] inputs. */
export function generatedRow(inputs: readonly ModelInput[], variant: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const input of inputs) {
    row[input.name] =
      input.width === 1
        ? sampleValue(input, variant, 0)
        : Array.from({ length: input.width }, (_, position) => sampleValue(input, variant, position));
  }
  return row;
}

/** Three rows: the guide's payload first when the model takes exactly its fields, then rows from the schema. */
export function defaultSamplePayloads(inputs: readonly ModelInput[]): Record<string, unknown>[] {
  const names = new Set(inputs.map((input) => input.name));
  const guideKeys = Object.keys(guidePayload);
  const takesGuidePayload = guideKeys.length === names.size && guideKeys.every((key) => names.has(key));
  const payloads: Record<string, unknown>[] = takesGuidePayload ? [{ ...guidePayload }] : [];
  for (let variant = 0; payloads.length < 3; variant++) payloads.push(generatedRow(inputs, variant));
  return payloads;
}

/** The parts of ModelDock's answer the service reproduces (no latency, tensors or warnings). */
export function expectedOutput(result: PredictResult | PredictManyResult['predictions'][number]) {
  const expected: Record<string, unknown> = { label: result.label, probabilities: result.probabilities };
  if (result.probability !== undefined) expected.probability = result.probability;
  if (result.value !== undefined) expected.value = result.value;
  return expected;
}

export type Predict = (payload: unknown) => Promise<PredictResult | PredictManyResult>;

/** Scores every sample payload with ModelDock, one by one and as one batch. */
export async function buildSamples(
  info: ModelInfo,
  payloads: readonly Record<string, unknown>[],
  predict: Predict,
): Promise<BundleSample[]> {
  const samples: BundleSample[] = [];
  for (const [index, payload] of payloads.entries()) {
    const result = await predict(payload);
    if (!('label' in result)) throw new Error('model.predict answered a batch for a single row');
    samples.push({
      name: `payload-${index + 1}`,
      description:
        index === 0 && payload === payloads[0] && isGuidePayload(payload)
          ? "The guide's client payload"
          : `Row ${index + 1} built from ${info.file.fileName}'s input schema`,
      payload,
      expected: expectedOutput(result),
      warnings: result.warnings,
    });
  }
  const batch = await predict({ instances: payloads });
  if (!('predictions' in batch)) throw new Error('model.predict answered a single row for a batch');
  samples.push({
    name: 'batch',
    description: `The ${payloads.length} rows above in one request ({"instances": [...]})`,
    payload: { instances: payloads },
    expected: { predictions: batch.predictions.map(expectedOutput) },
    warnings: batch.warnings,
  });
  return samples;
}

function isGuidePayload(payload: Record<string, unknown>): boolean {
  return JSON.stringify(payload) === JSON.stringify(guidePayload);
}
