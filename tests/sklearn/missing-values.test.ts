import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadPickleFile } from '../../main/sklearn/pickle/index.ts';
import { fixtureDir } from './parity-helpers.ts';

// How a payload says "missing" to a converted DictVectorizer model (docs/model-files.md: Safe scikit-learn loading).
let session: ort.InferenceSession;

beforeAll(async () => {
  const converted = convertSklearnValue(await loadPickleFile(path.join(fixtureDir, 'pipeline_v1.bin')));
  session = await ort.InferenceSession.create(converted.onnxBytes);
});

afterAll(async () => {
  await session.release();
});

async function probability(source: string, courses: number, income: number): Promise<number> {
  const outputs = await session.run({
    lead_source: new ort.Tensor('string', [source], [1, 1]),
    number_of_courses_viewed: new ort.Tensor('float64', Float64Array.of(courses), [1, 1]),
    annual_income: new ort.Tensor('float64', Float64Array.of(income), [1, 1]),
  });
  return (outputs.probabilities!.data as Float64Array)[1]!;
}

describe('DictVectorizer semantics in the converted graph', () => {
  test('a missing number (NaN) counts as 0, as a missing dict key does', async () => {
    expect(await probability('events', Number.NaN, 50_000)).toBe(await probability('events', 0, 50_000));
    expect(await probability('events', 3, Number.NaN)).toBe(await probability('events', 3, 0));
  });

  test('an unknown category and an empty text contribute nothing, and differ from known ones', async () => {
    const unknown = await probability('carrier_pigeon', 2, 60_000);
    expect(await probability('', 2, 60_000)).toBe(unknown);
    expect(await probability('paid_ads', 2, 60_000)).not.toBe(unknown);
    expect(await probability('NA', 2, 60_000)).not.toBe(unknown);
  });
});
