import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkPayload, maxInstances } from '../../main/models/payload.ts';
import type { ModelInput } from '../../shared/contract/index.ts';
import { bundleTemplate } from './helpers.ts';

/** The bundle's server/payload.js (plain JavaScript), typed for this test. */
interface BundlePayloadModule {
  readPayload(
    payload: unknown,
    options: { inputs: readonly ModelInput[]; maxBatch: number; unknownFields?: 'reject' | 'ignore' },
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
function serviceVerdict(payload: unknown) {
  try {
    const { rows, warnings, batch } = bundle.readPayload(payload, { inputs, maxBatch: maxInstances });
    return { ok: true, rows, warnings, many: batch };
  } catch (error) {
    if (!(error instanceof bundle.PayloadError)) throw error;
    return { ok: false, message: error.message, issues: error.issues };
  }
}

function appVerdict(payload: unknown) {
  const check = checkPayload(inputs, payload);
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
      fc.property(payload, (candidate) => {
        expect(serviceVerdict(candidate)).toEqual(appVerdict(candidate));
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
});
