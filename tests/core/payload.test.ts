import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  checkPayload,
  checkRow,
  coerceValue,
  describeIssues,
  ignoredFields,
} from '../../main/models/payload.ts';
import type { ModelInput } from '../../shared/contract/index.ts';

const inputs: ModelInput[] = [
  {
    name: 'lead_source',
    type: 'string',
    shape: ['N', 1],
    kind: 'string',
    width: 1,
    categories: ['events', 'referral'],
  },
  { name: 'courses', type: 'int64', shape: ['N', 1], kind: 'numeric', width: 1 },
  { name: 'income', type: 'float', shape: ['N', 1], kind: 'numeric', width: 1 },
  {
    name: 'vector',
    type: 'double',
    shape: ['N', 3],
    kind: 'numeric',
    width: 3,
    featureNames: ['a', 'b', 'c'],
  },
  { name: 'active', type: 'bool', shape: ['N'], kind: 'bool', width: 1 },
];
const valid = { lead_source: 'events', courses: 2, income: 5.5, vector: [1, 2, 3], active: true };

function issuesOf(payload: unknown) {
  const check = checkPayload(inputs, payload);
  if (check.ok) throw new Error('expected the payload to be refused');
  return check;
}

describe('checkPayload', () => {
  test('accepts a valid row and coerces it to one value list per input', () => {
    expect(checkPayload(inputs, valid)).toEqual({
      ok: true,
      many: false,
      warnings: [],
      rows: [{ lead_source: ['events'], courses: [2], income: [5.5], vector: [1, 2, 3], active: [true] }],
    });
  });

  test.each([
    ['an array', [valid], 'got an array of 1 value'],
    ['a string', 'lead_source=events', 'got the string "lead_source=events"'],
    ['null', null, 'got null'],
    ['a number', 42, 'got the number 42'],
  ])('refuses a payload that is %s', (_name, payload, got) => {
    const check = issuesOf(payload);
    expect(check.message).toBe(
      `The payload is not valid: the payload must be a JSON object keyed by input name (or {"instances": [...]} for several rows), ${got}.`,
    );
  });

  test('names each missing field with what it needs', () => {
    const { issues } = issuesOf({ lead_source: 'events', active: false });
    expect(issues).toEqual([
      { field: 'courses', message: 'missing; the model needs a whole number (int64)' },
      { field: 'income', message: 'missing; the model needs a number' },
      { field: 'vector', message: 'missing; the model needs an array of 3 values (a, b, c), each a number' },
    ]);
  });

  test("ignores extra fields by default, one warning each, after the row's own warnings", () => {
    const check = checkPayload(inputs, { ...valid, courses: '2', industry: 'retail', location: 'oslo' });
    expect(check).toMatchObject({ ok: true });
    if (!check.ok) return;
    expect(check.rows).toEqual([
      { lead_source: ['events'], courses: [2], income: [5.5], vector: [1, 2, 3], active: [true] },
    ]);
    expect(check.warnings.map((warning) => [warning.code, warning.field])).toEqual([
      ['coerced-value', 'courses'],
      ['ignored-field', 'industry'],
      ['ignored-field', 'location'],
    ]);
    expect(check.warnings[1]).toEqual({
      code: 'ignored-field',
      field: 'industry',
      message: 'industry: not an input of this model; ignored.',
    });
    expect(ignoredFields(check.warnings)).toEqual(['industry', 'location']);
    const many = checkPayload(inputs, { instances: [valid, { ...valid, industry: 'x' }] });
    expect(many.ok && many.warnings).toEqual([
      {
        code: 'ignored-field',
        field: 'industry',
        row: 1,
        message: 'industry: not an input of this model; ignored.',
      },
    ]);
  });

  test('with unknownFields refuse, lists extra fields together with the inputs the model has', () => {
    const check = checkPayload(
      inputs,
      { ...valid, industry: 'retail', location: 'oslo' },
      { unknownFields: 'refuse' },
    );
    if (check.ok) throw new Error('expected the payload to be refused');
    expect(check.issues).toEqual([
      {
        field: 'industry, location',
        message:
          'are not inputs of this model (its inputs are lead_source, courses, income, vector, active); fields that are not inputs are refused in strict mode',
      },
    ]);
    expect(check.message).toContain('industry, location: are not inputs of this model');
  });

  test.each([
    ['income', 'abc', 'expected a number, got the string "abc"'],
    ['income', Number.NaN, 'expected a finite number, got NaN'],
    ['income', Number.POSITIVE_INFINITY, 'expected a finite number, got Infinity'],
    ['income', 'Infinity', 'expected a finite number, got Infinity'],
    ['income', null, 'expected a number, got null'],
    ['income', true, 'expected a number, got the boolean true'],
    ['courses', 2.5, 'expected a whole number (int64), got 2.5'],
    [
      'courses',
      2 ** 60,
      `${2 ** 60} is outside the range ModelDock can pass exactly to int64 (±9007199254740991)`,
    ],
    ['income', 1e39, "1e+39 is too large for this model's float input (max ±3.4e38)"],
    ['income', -1e39, "-1e+39 is too large for this model's float input (max ±3.4e38)"],
    ['income', '1e39', "1e+39 is too large for this model's float input (max ±3.4e38)"],
    ['lead_source', { nested: 1 }, 'expected a string, got a JSON object'],
    ['active', 'yes', 'expected true or false, got the string "yes"'],
    ['vector', [1, 2], 'expected an array of 3 values (a, b, c), each a number, got an array of 2 values'],
    ['vector', 7, 'expected an array of 3 values (a, b, c), each a number, got the number 7'],
  ])('%s = %s is refused', (field, value, message) => {
    expect(issuesOf({ ...valid, [field]: value }).issues).toEqual([{ field, message }]);
  });

  test('the largest float32 passes, and a double input takes what a float input refuses', () => {
    expect(checkPayload(inputs, { ...valid, income: 3.4028234663852886e38 }).ok).toBe(true);
    expect(checkPayload(inputs, { ...valid, vector: [1e39, 2, 3] }).ok).toBe(true);
  });

  test('an optional input may be left out or null: NaN for a number, "" for text', () => {
    const optional: ModelInput[] = [
      { name: 'source', type: 'string', shape: ['N', 1], kind: 'string', width: 1, optional: true },
      { name: 'income', type: 'double', shape: ['N', 1], kind: 'numeric', width: 1, optional: true },
      { name: 'courses', type: 'double', shape: ['N', 1], kind: 'numeric', width: 1 },
    ];
    expect(checkRow(optional, { courses: 2 })).toEqual({
      values: { source: [''], income: [Number.NaN], courses: [2] },
      issues: [],
      warnings: [],
    });
    expect(checkRow(optional, { source: null, income: null, courses: 2 }).values).toEqual({
      source: [''],
      income: [Number.NaN],
      courses: [2],
    });
    expect(checkRow(optional, { source: 'events', income: 5 }).issues).toEqual([
      { field: 'courses', message: 'missing; the model needs a number' },
    ]);
    expect(checkRow(optional, { income: 'x', courses: 1 }).issues).toEqual([
      { field: 'income', message: 'expected a number, got the string "x"' },
    ]);
  });

  test('int32 inputs refuse whole numbers beyond int32', () => {
    const int32 = { kind: 'numeric', type: 'int32' } as const;
    expect(coerceValue(int32, 2147483647)).toEqual({ value: 2147483647 });
    expect(coerceValue(int32, 2147483648)).toEqual({
      error: '2147483648 is outside the range of int32 (-2147483648 to 2147483647)',
    });
  });

  test('names the position of a bad value inside an array input', () => {
    expect(issuesOf({ ...valid, vector: [1, 'x', 3] }).issues).toEqual([
      { field: 'vector[1]', message: 'expected a number, got the string "x"' },
    ]);
  });

  test('an unknown category predicts with a warning naming the field and the known categories', () => {
    const check = checkPayload(inputs, { ...valid, lead_source: 'organic' });
    expect(check.ok).toBe(true);
    if (!check.ok) return;
    expect(check.warnings).toEqual([
      {
        code: 'unknown-category',
        field: 'lead_source',
        knownCategories: ['events', 'referral'],
        message:
          'lead_source: "organic" is not a category the model knows (it knows events, referral); it is scored as an unseen value.',
      },
    ]);
  });

  test('numeric strings and 0/1 booleans are read with a coerced-value warning', () => {
    const check = checkPayload(inputs, { ...valid, income: ' 12.5 ', active: 1 });
    expect(check.ok && check.rows[0]).toMatchObject({ income: [12.5], active: [true] });
    expect(check.ok && check.warnings.map((warning) => [warning.code, warning.field])).toEqual([
      ['coerced-value', 'income'],
      ['coerced-value', 'active'],
    ]);
  });

  test('a one-element array is accepted for a one-column input', () => {
    const check = checkPayload(inputs, { ...valid, income: [3] });
    expect(check.ok && check.rows[0]!.income).toEqual([3]);
  });

  test('{instances: [...]} scores several rows and numbers issues and warnings by row', () => {
    const check = checkPayload(inputs, { instances: [valid, { ...valid, lead_source: 'organic' }] });
    expect(check.ok && check.many).toBe(true);
    expect(check.ok && check.rows).toHaveLength(2);
    expect(check.ok && check.warnings[0]!.row).toBe(1);
    const bad = issuesOf({ instances: [valid, { ...valid, income: 'x' }, 'row'] });
    expect(bad.issues).toEqual([
      { field: 'income', row: 1, message: 'expected a number, got the string "x"' },
      {
        field: '',
        row: 2,
        message: 'instance 2 must be a JSON object keyed by input name, got the string "row"',
      },
    ]);
    expect(bad.message).toBe(
      'The payload is not valid: instance 1: income: expected a number, got the string "x"; instance 2: instance 2 must be a JSON object keyed by input name, got the string "row".',
    );
    expect(issuesOf({ instances: [] }).issues).toEqual([
      { field: 'instances', message: 'is empty; give at least one row' },
    ]);
    expect(issuesOf({ instances: {} }).issues[0]!.message).toBe(
      'expected an array of rows, got a JSON object',
    );
  });

  test('a model with an input named "instances" reads the payload as one row', () => {
    const odd: ModelInput[] = [
      { name: 'instances', type: 'float', shape: ['N', 1], kind: 'numeric', width: 1 },
    ];
    expect(checkPayload(odd, { instances: 3 })).toMatchObject({
      ok: true,
      many: false,
      rows: [{ instances: [3] }],
    });
  });

  test('summaries stop after five issues', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ field: `f${i}`, message: 'bad' }));
    expect(describeIssues(many)).toBe(
      'The payload is not valid: f0: bad; f1: bad; f2: bad; f3: bad; f4: bad; and 2 more.',
    );
  });
});

describe('checkRow (property)', () => {
  const numeric: ModelInput[] = [{ name: 'x', type: 'double', shape: ['N', 1], kind: 'numeric', width: 1 }];
  test('every finite number is accepted unchanged; every non-finite one is refused', () => {
    fc.assert(
      fc.property(fc.double(), (value) => {
        const check = checkRow(numeric, { x: value });
        if (Number.isFinite(value)) expect(check.values).toEqual({ x: [value] });
        else expect(check.issues).toHaveLength(1);
      }),
    );
  });
});
