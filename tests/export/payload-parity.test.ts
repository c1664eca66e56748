import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPayload, maxInstances } from '../../main/models/payload.ts';
import type { ModelInput } from '../../shared/contract/index.ts';
import { bundleTemplate } from './helpers.ts';

/**
 * The bundle's server/payload.js (plain JavaScript), typed for this test: ModelDock's checkPayload and
 * checkRow (from runtime.generated.js) under the service's own envelope: MAX_BATCH and UNKNOWN_FIELDS.
 */
interface BundlePayloadModule {
  readPayload(
    payload: unknown,
    options: { inputs: readonly ModelInput[]; maxBatch: number; unknownFields?: 'refuse' | 'ignore' },
  ): { batch: boolean; rows: Record<string, unknown[]>[]; warnings: unknown[] };
  PayloadError: new (issues: unknown[]) => Error & { issues: unknown[] };
}

let bundle: BundlePayloadModule;

beforeAll(async () => {
  const url = pathToFileURL(path.join(bundleTemplate, 'server', 'payload.js')).href;
  bundle = (await import(url)) as BundlePayloadModule;
});

const inputs: ModelInput[] = [
  {
    name: 'lead_source',
    type: 'string',
    shape: ['N', 1],
    kind: 'string',
    width: 1,
    categories: ['organic_search', 'paid_ads'],
  },
  { name: 'number_of_courses_viewed', type: 'int64', shape: ['N', 1], kind: 'numeric', width: 1 },
  { name: 'annual_income', type: 'float', shape: ['N', 1], kind: 'numeric', width: 1 },
  { name: 'flags', type: 'bool', shape: ['N', 2], kind: 'bool', width: 2, featureNames: ['a', 'b'] },
  { name: 'small', type: 'uint8', shape: ['N'], kind: 'numeric', width: 1 },
];

/** What each side decides: accepted rows and warnings, or the message listing the problems. */
function serviceVerdict(
  payload: unknown,
  options: { maxBatch?: number; unknownFields?: 'refuse' | 'ignore'; inputs?: ModelInput[] } = {},
) {
  try {
    const { rows, warnings, batch } = bundle.readPayload(payload, {
      inputs: options.inputs ?? inputs,
      maxBatch: options.maxBatch ?? maxInstances,
      unknownFields: options.unknownFields,
    });
    return { ok: true, rows, warnings, many: batch };
  } catch (error) {
    if (!(error instanceof bundle.PayloadError)) throw error;
    return { ok: false, message: error.message, issues: error.issues };
  }
}

function appVerdict(
  payload: unknown,
  modelInputs: ModelInput[] = inputs,
  unknownFields: 'refuse' | 'ignore' = 'ignore',
) {
  const check = checkPayload(modelInputs, payload, { unknownFields });
  return check.ok
    ? { ok: true, rows: check.rows, warnings: check.warnings, many: check.many }
    : { ok: false, message: check.message, issues: check.issues };
}

describe("the bundle's payload rules are ModelDock's", () => {
  const value = fc.oneof(
    fc.jsonValue({ maxDepth: 1 }),
    fc.constantFrom(
      'NaN',
      'Infinity',
      '',
      ' 7 ',
      '1e3',
      'true',
      'organic_search',
      'other',
      0,
      1,
      256,
      -1,
      2.5,
      null,
    ),
    fc.array(fc.oneof(fc.boolean(), fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 }),
  );
  const row = fc
    .record(
      {
        lead_source: value,
        number_of_courses_viewed: value,
        annual_income: value,
        flags: value,
        small: value,
        unexpected: value,
      },
      { requiredKeys: [] },
    )
    .map((record) => record as Record<string, unknown>);
  const payload = fc.oneof(
    row,
    fc.array(row, { maxLength: 3 }).map((rows) => ({ instances: rows })),
    fc.jsonValue({ maxDepth: 2 }),
  );

  it('accepts, coerces, warns and refuses the same payloads with the same messages', () => {
    fc.assert(
      fc.property(payload, fc.constantFrom('ignore' as const, 'refuse' as const), (candidate, policy) => {
        expect(serviceVerdict(candidate, { unknownFields: policy })).toEqual(
          appVerdict(candidate, inputs, policy),
        );
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on a valid row with coercions and an unknown category', () => {
    const candidate = {
      lead_source: 'organic',
      number_of_courses_viewed: '5',
      annual_income: 75000,
      flags: [true, 0],
      small: 3,
    };
    const verdict = serviceVerdict(candidate);
    expect(verdict.ok).toBe(true);
    expect(verdict).toEqual(appVerdict(candidate));
  });

  it('reads a body as one row when the model has an input called "instances", as ModelDock does', () => {
    const withInstances: ModelInput[] = [
      { name: 'instances', type: 'float', shape: ['N', 1], kind: 'numeric', width: 1 },
    ];
    for (const candidate of [{ instances: 3 }, { instances: [3] }, { instances: 'x' }, { instances: [] }]) {
      expect(serviceVerdict(candidate, { inputs: withInstances })).toEqual(
        appVerdict(candidate, withInstances),
      );
    }
  });
});

describe('what the service adds over ModelDock', () => {
  const good = {
    lead_source: 'paid_ads',
    number_of_courses_viewed: 2,
    annual_income: 1,
    flags: [true, false],
    small: 1,
  };

  it('refuses more than MAX_BATCH rows, naming the setting, after the envelope checks', () => {
    const verdict = serviceVerdict({ instances: [good, good, good] }, { maxBatch: 2 });
    expect(verdict).toMatchObject({
      ok: false,
      message:
        'The payload is not valid: instances: has 3 rows; this service takes at most 2 per request (MAX_BATCH).',
    });
    // A malformed envelope is reported as such, whatever its size.
    expect(serviceVerdict({ instances: [good, good, good], extra: 1 }, { maxBatch: 2 })).toMatchObject({
      ok: false,
      message: 'The payload is not valid: extra: unexpected next to "instances".',
    });
  });

  it("takes MAX_BATCH rows even above ModelDock's interactive limit", () => {
    const rows = Array.from({ length: maxInstances + 1 }, () => good);
    expect(appVerdict({ instances: rows }).ok).toBe(false);
    const verdict = serviceVerdict({ instances: rows }, { maxBatch: maxInstances + 1 });
    expect(verdict.ok).toBe(true);
    expect(verdict.rows).toHaveLength(maxInstances + 1);
  });

  it("ignores unknown fields by default, listing them after each row's own warnings", () => {
    const one = { ...good, number_of_courses_viewed: '2', unexpected: 1 };
    const single = serviceVerdict(one);
    const { unexpected: _dropped, ...known } = one;
    const app = appVerdict(known);
    expect(single).toEqual({
      ...app,
      warnings: [
        ...(app.warnings ?? []),
        {
          code: 'ignored-field',
          field: 'unexpected',
          message: 'unexpected: not an input of this model; ignored.',
        },
      ],
    });
    expect(serviceVerdict(one, { unknownFields: 'refuse' })).toMatchObject({
      ok: false,
      issues: [{ field: 'unexpected' }],
    });

    const many = serviceVerdict({
      instances: [
        { ...one, other: 2 },
        { ...good, lead_source: 'new' },
      ],
    });
    expect(many.ok).toBe(true);
    expect(
      many.warnings?.map((warning) => [
        (warning as { row?: number }).row,
        (warning as { code: string }).code,
      ]),
    ).toEqual([
      [0, 'coerced-value'],
      [0, 'ignored-field'],
      [0, 'ignored-field'],
      [1, 'unknown-category'],
    ]);
  });

  it('ignoring unknown fields still refuses bad values and keys next to "instances"', () => {
    expect(serviceVerdict({ ...good, small: 300, unexpected: 1 }, { unknownFields: 'ignore' })).toMatchObject(
      {
        ok: false,
        message: 'The payload is not valid: small: 300 is outside the range of uint8 (0 to 255).',
      },
    );
    expect(serviceVerdict({ instances: [good], unexpected: 1 }, { unknownFields: 'ignore' })).toMatchObject({
      ok: false,
      message: 'The payload is not valid: unexpected: unexpected next to "instances".',
    });
  });
});
