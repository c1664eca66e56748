import type {
  ModelInfo,
  PredictManyResult,
  PredictResult,
  WhatIfCurve,
} from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { coerceValue } from '../models/payload.ts';
import type { ReferenceProfile } from './drift.ts';

export const DEFAULT_WHATIF_POINTS = 50;

export interface WhatIfRequest {
  payload: Record<string, unknown>;
  input: string;
  from?: number;
  to?: number;
  points?: number;
}

export type PredictFn = (payload: unknown) => Promise<PredictResult | PredictManyResult>;

/** Evenly spaced values from `from` to `to`, both included. */
export function linearRange(from: number, to: number, points: number): number[] {
  if (points < 2) return [from];
  return Array.from({ length: points }, (_, i) =>
    i === points - 1 ? to : from + ((to - from) * i) / (points - 1),
  );
}

const integerTypes = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);

/** Whole numbers only, for integer inputs: every integer in range when they fit in `points`, else rounded steps. */
export function integerRange(from: number, to: number, points: number): number[] {
  const low = Math.ceil(Math.min(from, to));
  const high = Math.floor(Math.max(from, to));
  if (high - low + 1 <= points) return Array.from({ length: Math.max(high - low + 1, 0) }, (_, i) => low + i);
  return [...new Set(linearRange(low, high, points).map(Math.round))];
}

/**
 * The values an input takes in the curve. Numeric: the request's range, else the attached reference's
 * observed min..max, else 0..2×the payload's value (0..1 when the value is 0). Categorical: the categories the
 * model knows, else the reference's.
 */
export function whatIfValues(
  info: ModelInfo,
  request: WhatIfRequest,
  reference?: ReferenceProfile,
): Pick<WhatIfCurve, 'kind' | 'rangeSource' | 'baseValue'> & { values: Array<number | string> } {
  const input = info.inputs.find((candidate) => candidate.name === request.input);
  if (!input) {
    throw new AppError('bad-request', `${info.file.fileName} has no input named ${request.input}.`, {
      inputs: info.inputs.map((candidate) => candidate.name),
    });
  }
  if (input.width !== 1) {
    throw new AppError(
      'bad-request',
      `${input.name} holds ${input.width} values per row; what-if varies single-value inputs.`,
    );
  }
  const base = request.payload[input.name];
  const profile = reference?.features.find((feature) => feature.name === input.name);
  if (input.kind === 'numeric') {
    const points = request.points ?? DEFAULT_WHATIF_POINTS;
    const range = integerTypes.has(input.type) ? integerRange : linearRange;
    // The payload's value as a prediction reads it (main/models/payload.ts), or null when it can't.
    const coerced = base === undefined || base === null ? undefined : coerceValue(input, base);
    const baseValue =
      coerced && 'value' in coerced && typeof coerced.value === 'number' ? coerced.value : null;
    if (request.from !== undefined && request.to !== undefined) {
      return {
        kind: 'numeric',
        rangeSource: 'request',
        baseValue,
        values: range(request.from, request.to, points),
      };
    }
    if (
      profile?.kind === 'numeric' &&
      profile.min !== null &&
      profile.max !== null &&
      profile.max > profile.min
    ) {
      return {
        kind: 'numeric',
        rangeSource: 'reference',
        baseValue,
        values: range(profile.min, profile.max, points),
      };
    }
    if (baseValue === null) {
      throw new AppError(
        'invalid-payload',
        `${input.name} needs a number in the payload (or a range) to vary it.`,
      );
    }
    const to = baseValue === 0 ? 1 : 2 * baseValue;
    return {
      kind: 'numeric',
      rangeSource: 'around-value',
      baseValue,
      values: range(Math.min(0, to), Math.max(0, to), points),
    };
  }
  const fromModel = input.categories && input.categories.length > 0;
  const categories = fromModel
    ? input.categories!
    : profile?.kind === 'categorical'
      ? Object.keys(profile.counts)
      : input.kind === 'bool'
        ? ['true', 'false']
        : [];
  if (categories.length === 0) {
    throw new AppError(
      'bad-request',
      `ModelDock does not know the categories of ${input.name}; attach a reference CSV to the model to vary it.`,
    );
  }
  return {
    kind: 'categorical',
    rangeSource: !fromModel && profile?.kind === 'categorical' ? 'reference' : 'categories',
    baseValue: base === undefined || base === null ? null : String(base),
    values: [...categories],
  };
}

/** Predicts the payload once per value of the varied input, in one batched call. */
export async function computeWhatIf(
  info: ModelInfo,
  predict: PredictFn,
  request: WhatIfRequest,
  reference?: ReferenceProfile,
): Promise<WhatIfCurve> {
  const plan = whatIfValues(info, request, reference);
  const inputKind = info.inputs.find((input) => input.name === request.input)!.kind;
  const instances = plan.values.map((value) => ({
    ...request.payload,
    [request.input]: inputKind === 'bool' ? value === 'true' : value,
  }));
  const result = await predict({ instances });
  if (!('predictions' in result))
    throw new AppError('internal', 'The model service answered one prediction for many.');
  return {
    input: request.input,
    kind: plan.kind,
    rangeSource: plan.rangeSource,
    baseValue: plan.baseValue,
    points: plan.values.map((value, i) => {
      const prediction = result.predictions[i]!;
      return {
        value,
        probability: prediction.probability ?? prediction.value ?? null,
        label: prediction.label,
        probabilities: prediction.probabilities,
      };
    }),
  };
}
