import { describe, expect, it } from 'vitest';
import {
  fieldsForInputs,
  initialPayload,
  payloadSchema,
  valuesFromPayload,
  withFieldValue,
} from '../../renderer/payload/payload-fields.ts';
import type { ModelInput } from '../../shared/contract/index.ts';

// The inputs of the guide's converted pickle: DictVectorizer keys, every one optional.
const guideInputs: ModelInput[] = [
  { name: 'lead_source', type: 'string', shape: ['N', 1], kind: 'string', width: 1, optional: true },
  {
    name: 'number_of_courses_viewed',
    type: 'double',
    shape: ['N', 1],
    kind: 'numeric',
    width: 1,
    optional: true,
  },
  { name: 'annual_income', type: 'double', shape: ['N', 1], kind: 'numeric', width: 1, optional: true },
];
// The same model with an input it can't do without.
const mixedInputs: ModelInput[] = guideInputs.map((input) =>
  input.name === 'lead_source' ? { ...input, optional: false } : input,
);

const guideRow = { lead_source: 'paid_ads', number_of_courses_viewed: 2, annual_income: 79276 };

function formValues(inputs: ModelInput[], payload: Record<string, unknown>) {
  const fields = fieldsForInputs(inputs);
  return { fields, values: valuesFromPayload(fields, payload).values };
}

describe('payload form for optional inputs', () => {
  it('marks only the optional inputs', () => {
    expect(fieldsForInputs(mixedInputs).map((field) => [field.label, field.optional])).toEqual([
      ['lead_source', false],
      ['number_of_courses_viewed', true],
      ['annual_income', true],
    ]);
  });

  it('accepts an empty optional field and leaves its key out of the payload', () => {
    const { annual_income: _, ...withoutIncome } = guideRow;
    const { fields, values } = formValues(guideInputs, withoutIncome);
    expect(payloadSchema(fields).safeParse(values).success).toBe(true);
    expect(withFieldValue(fields, guideRow, fields[2]!, '')).toEqual(withoutIncome);
  });

  it('treats a blank text field as left out, and sends what is filled in unchanged', () => {
    const fields = fieldsForInputs(guideInputs);
    expect(withFieldValue(fields, guideRow, fields[0]!, '   ')).toEqual({
      number_of_courses_viewed: 2,
      annual_income: 79276,
    });
    expect(initialPayload(fields)).toEqual({});
  });

  it('a key taken out of the JSON empties its field, optional or not', () => {
    const fields = fieldsForInputs(mixedInputs);
    expect(valuesFromPayload(fields, { number_of_courses_viewed: 1 }).values).toEqual({
      f0: '',
      f1: '1',
      f2: '',
    });
  });

  it('still refuses an empty field for an input the model needs, and a bad number in an optional one', () => {
    const fields = fieldsForInputs(mixedInputs);
    const result = payloadSchema(fields).safeParse({ f0: '', f1: '', f2: 'lots' });
    expect(result.success).toBe(false);
    const messages = Object.fromEntries(
      (result.error?.issues ?? []).map((issue) => [String(issue.path[0]), issue.message]),
    );
    expect(messages).toEqual({
      f0: 'Enter a value for lead_source.',
      f2: 'annual_income must be a number, such as 42 or 3.5.',
    });
  });

  it('an [N,F] input is never optional field by field', () => {
    const wide: ModelInput = {
      name: 'features',
      type: 'float',
      shape: ['N', 2],
      kind: 'numeric',
      width: 2,
      optional: true,
    };
    const fields = fieldsForInputs([wide]);
    expect(fields.map((field) => field.optional)).toEqual([false, false]);
    expect(payloadSchema(fields).safeParse({ f0: '', f1: '1' }).success).toBe(false);
  });
});
