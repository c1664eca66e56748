import type { ExpectedPrediction, GoldenSample, Prediction, SampleRun } from '../../shared/contract/index.ts';

/** Golden samples must come back within this of what the analyst saw (probabilities are float32 or double). */
export const SAMPLE_TOLERANCE = 1e-6;

/** The part of a prediction a sample remembers: label, class probabilities, positive-class probability, value. */
export function expectedFrom(prediction: Prediction): ExpectedPrediction {
  const expected: ExpectedPrediction = {
    label: prediction.label,
    probabilities: { ...prediction.probabilities },
  };
  if (prediction.probability !== undefined) expected.probability = prediction.probability;
  if (prediction.value !== undefined) expected.value = prediction.value;
  return expected;
}

/** Largest |Δ| over every number the sample remembers; Infinity when a class or value is missing on one side. */
export function maxAbsDelta(expected: ExpectedPrediction, actual: ExpectedPrediction): number {
  let max = 0;
  const classes = new Set([...Object.keys(expected.probabilities), ...Object.keys(actual.probabilities)]);
  for (const label of classes) {
    const e = expected.probabilities[label];
    const a = actual.probabilities[label];
    if (e === undefined || a === undefined) return Number.POSITIVE_INFINITY;
    max = Math.max(max, Math.abs(e - a));
  }
  for (const key of ['probability', 'value'] as const) {
    const e = expected[key];
    const a = actual[key];
    if (e === undefined && a === undefined) continue;
    if (e === undefined || a === undefined) return Number.POSITIVE_INFINITY;
    max = Math.max(max, Math.abs(e - a));
  }
  return max;
}

export function judgeSample(
  sample: GoldenSample,
  actual: Prediction,
  tolerance = SAMPLE_TOLERANCE,
): SampleRun {
  const now = expectedFrom(actual);
  const delta = maxAbsDelta(sample.expected, now);
  const labelMatches = String(sample.expected.label) === String(now.label);
  return {
    name: sample.name,
    passed: labelMatches && delta <= tolerance,
    maxAbsDelta: Number.isFinite(delta) ? delta : null,
    labelMatches,
    expected: sample.expected,
    actual: now,
  };
}
