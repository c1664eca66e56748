import { describe, expect, it } from 'vitest';
import {
  defaultValues,
  fieldsForInputs,
  payloadSchema,
  payloadToValues,
  valuesToPayload,
} from '../../renderer/payload/payload-fields.ts';
import type { ModelInput } from '../../shared/contract/index.ts';

const leadInputs: ModelInput[] = [
  {
    name: 'lead_source',
    type: 'string',
    shape: ['N', 1],
    kind: 'string',
    width: 1,
    categories: ['events', 'referral'],
  },
  { name: 'number_of_courses_viewed', type: 'int64', shape: ['N', 1], kind: 'numeric', width: 1 },
  { name: 'annual_income', type: 'float', shape: ['N', 1], kind: 'numeric', width: 1 },
];
const wideInput: ModelInput = {
  name: 'features',
  type: 'float',
  shape: ['N', 3],
  kind: 'numeric',
  width: 3,
  featureNames: ['age', 'visits', 'score'],
};

function messages(result: {
  success: boolean;
  error?: { issues: { path: PropertyKey[]; message: string }[] };
}) {
  return Object.fromEntries(
    (result.error?.issues ?? []).map((issue) => [String(issue.path[0]), issue.message]),
  );
}

describe('form fields from model inputs', () => {
  it('makes one field per [N,1] input and one per feature of an [N,F] input, with feature names', () => {
    const fields = fieldsForInputs([...leadInputs, wideInput]);
    expect(fields.map((field) => field.label)).toEqual([
      'lead_source',
      'number_of_courses_viewed',
      'annual_income',
      'age',
      'visits',
      'score',
    ]);
    expect(fields[0]!.categories).toEqual(['events', 'referral']);
    expect(fields[1]!.integer).toBe(true);
    expect(fields[2]!.integer).toBe(false);
    expect(new Set(fields.map((field) => field.key)).size).toBe(6);
  });

  it('falls back to name[i] labels when an [N,F] input has no feature names', () => {
    const fields = fieldsForInputs([{ ...wideInput, featureNames: undefined }]);
    expect(fields.map((field) => field.label)).toEqual(['features[0]', 'features[1]', 'features[2]']);
  });
});

describe('the zod schema derived from the inputs', () => {
  const fields = fieldsForInputs(leadInputs);
  const schema = payloadSchema(fields);

  it('accepts a complete payload', () => {
    expect(schema.safeParse({ f0: 'organic', f1: '5', f2: '75000' }).success).toBe(true);
  });

  it('names the field in each message: missing, not a number, not whole', () => {
    expect(messages(schema.safeParse({ f0: '', f1: '2.5', f2: 'lots' }))).toEqual({
      f0: 'Enter a value for lead_source.',
      f1: 'number_of_courses_viewed must be a whole number.',
      f2: 'annual_income must be a number, such as 42 or 3.5.',
    });
    expect(messages(schema.safeParse({ f0: 'x', f1: ' ', f2: 'Infinity' }))).toEqual({
      f1: 'Enter a number for number_of_courses_viewed.',
      f2: 'annual_income must be a number, such as 42 or 3.5.',
    });
  });
});

describe('form values and JSON payloads', () => {
  const fields = fieldsForInputs([...leadInputs, wideInput]);

  it('builds the predict payload: scalars for [N,1], arrays for [N,F], numbers parsed', () => {
    const values = {
      ...defaultValues(fields),
      f0: 'organic',
      f1: '5',
      f2: '75000',
      f3: '1',
      f4: '2.5',
      f5: '-3',
    };
    expect(valuesToPayload(fields, values)).toEqual({
      lead_source: 'organic',
      number_of_courses_viewed: 5,
      annual_income: 75000,
      features: [1, 2.5, -3],
    });
  });

  it('fills the form from the guide’s payload and round-trips it', () => {
    const guide = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };
    const { values, problems } = payloadToValues(fieldsForInputs(leadInputs), guide);
    expect(problems).toEqual([]);
    expect(values).toEqual({ f0: 'organic', f1: '5', f2: '75000' });
    expect(valuesToPayload(fieldsForInputs(leadInputs), values as Record<string, string>)).toEqual(guide);
  });

  it('accepts feature names as keys for [N,F] inputs and reports keys that are not inputs', () => {
    const { values, problems } = payloadToValues(fields, { age: 30, visits: 2, score: 0.5, colour: 'red' });
    expect(values).toMatchObject({ f3: '30', f4: '2', f5: '0.5' });
    expect(problems).toEqual(['Not inputs of this model, ignored: colour.']);
  });

  it('refuses a payload that is not an object', () => {
    expect(payloadToValues(fields, [1, 2]).problems).toEqual([
      'The payload must be a JSON object keyed by input name.',
    ]);
    expect(payloadToValues(fields, { lead_source: { nested: true } }).problems).toEqual([
      'lead_source: expected a single value.',
    ]);
  });
});
