import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  fieldsForInputs,
  initialPayload,
  isSelect,
  type Payload,
  type PayloadField,
  payloadSchema,
  readPayloadJson,
  valuesFromPayload,
  withFieldValue,
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

/** The payload after typing each value into its field, in order, starting from a fresh form. */
function typed(fields: PayloadField[], values: Record<string, string | boolean>): Payload {
  let payload = initialPayload(fields);
  for (const [key, value] of Object.entries(values)) {
    payload = withFieldValue(fields, payload, fields.find((field) => field.key === key)!, value);
  }
  return payload;
}

describe('one payload behind the form and the JSON view', () => {
  const fields = fieldsForInputs([...leadInputs, wideInput]);
  const lead = fieldsForInputs(leadInputs);

  it('a field edit sets its key: scalars for [N,1], arrays for [N,F], numbers parsed, inputs in model order', () => {
    const payload = typed(fields, { f5: '-3', f2: '75000', f0: 'organic', f1: '5', f3: '1', f4: '2.5' });
    expect(JSON.stringify(payload)).toBe(
      JSON.stringify({
        lead_source: 'organic',
        number_of_courses_viewed: 5,
        annual_income: 75000,
        features: [1, 2.5, -3],
      }),
    );
  });

  it('an emptied field removes its key; text that is not a number is kept as typed (the field says why)', () => {
    const payload = typed(lead, { f0: 'organic', f1: '5', f2: 'lots' });
    expect(payload).toEqual({ lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 'lots' });
    expect(withFieldValue(lead, payload, lead[1]!, ' ')).toEqual({
      lead_source: 'organic',
      annual_income: 'lots',
    });
  });

  it('keeps keys that are not inputs through field edits: they are sent, and the model service decides', () => {
    const payload = withFieldValue(lead, { industry: 'retail', annual_income: 1 }, lead[0]!, 'events');
    expect(Object.keys(payload)).toEqual(['lead_source', 'annual_income', 'industry']);
  });

  it('fills the form from the guide’s payload, and a key removed from the JSON empties its field', () => {
    const guide = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };
    expect(valuesFromPayload(lead, guide)).toEqual({
      values: { f0: 'organic', f1: '5', f2: '75000' },
      problems: [],
    });
    const { lead_source: _removed, ...withoutSource } = guide;
    expect(valuesFromPayload(lead, withoutSource).values).toEqual({ f0: '', f1: '5', f2: '75000' });
  });

  it('round-trips: the form filled from any payload of field values gives that payload back', () => {
    const value = fc.oneof(fc.constant(undefined), fc.constantFrom('events', 'organic', 'x y'));
    const number = fc.oneof(
      fc.constant(undefined),
      fc.integer({ min: -1000, max: 1000 }),
      fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e6, max: 1e6 }),
    );
    fc.assert(
      fc.property(value, number, number, (source, courses, income) => {
        const payload: Payload = {};
        if (source !== undefined) payload.lead_source = source;
        // JSON has no -0: the JSON view shows 0, which is what the field then holds.
        if (courses !== undefined) payload.number_of_courses_viewed = Object.is(courses, -0) ? 0 : courses;
        if (income !== undefined) payload.annual_income = Object.is(income, -0) ? 0 : income;
        const { values } = valuesFromPayload(lead, payload);
        expect(typed(lead, values as Record<string, string>)).toEqual(payload);
      }),
      { numRuns: 300 },
    );
  });

  it('reads the JSON view as it is, gathering feature names of [N,F] inputs into the array', () => {
    expect(readPayloadJson(fields, '{"age": 30, "visits": 2, "score": 0.5, "colour": "red"}')).toEqual({
      payload: { colour: 'red', features: [30, 2, 0.5] },
      rewritten: true,
    });
    expect(readPayloadJson(fields, '{"lead_source": "5", "x": 1}')).toEqual({
      payload: { lead_source: '5', x: 1 },
      rewritten: false,
    });
  });

  it('refuses JSON that is not an object, and says which value a field cannot show', () => {
    expect(readPayloadJson(fields, '[1, 2]')).toEqual({
      problem: 'The payload must be a JSON object keyed by input name.',
    });
    expect(readPayloadJson(fields, '{"a": ')).toMatchObject({
      problem: expect.stringMatching(/^The JSON is not valid yet/),
    });
    expect(valuesFromPayload(fields, { lead_source: { nested: true } }).problems).toEqual([
      'lead_source: expected a single value.',
    ]);
  });

  it('categorical inputs with at most 20 known categories are selects', () => {
    const many = Array.from({ length: 21 }, (_, index) => `c${index}`);
    const select = fieldsForInputs([{ ...leadInputs[0]!, categories: many.slice(0, 20) }])[0]!;
    const text = fieldsForInputs([{ ...leadInputs[0]!, categories: many }])[0]!;
    expect([isSelect(select), isSelect(text), isSelect(lead[1]!)]).toEqual([true, false, false]);
  });
});
