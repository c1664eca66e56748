// Which cells a PSI is taken over (main/analysis/psi.ts missingIsScored): the values the model
// scores. A required input's empty cells are left out on both sides, an optional input's are a
// "(missing)" bin; the bundle's profile (main/export/drift-profile.ts) follows the same rule, so the
// service's PSI over shares equals the app's over counts. Expected values are worked out by hand.
import { describe, expect, it } from 'vitest';
import { DriftAccumulator, mergeDrift, type ReferenceProfile } from '../../main/analysis/drift.ts';
import {
  computePsiFromCounts,
  DriftCounter,
  missingIsScored,
  profileCategorical,
  profileNumeric,
} from '../../main/analysis/psi.ts';
import { bundleDriftProfile } from '../../main/export/drift-profile.ts';
import type { ModelInput } from '../../shared/contract/index.ts';
import { describeEmptyCellsLeftOut } from '../../shared/export-drift-text.ts';

const ln = Math.log;

const source: ModelInput = {
  name: 'source',
  type: 'string',
  shape: ['N', 1],
  kind: 'string',
  width: 1,
} as ModelInput;
const income: ModelInput = {
  name: 'income',
  type: 'double',
  shape: ['N', 1],
  kind: 'numeric',
  width: 1,
} as ModelInput;

// a ×3, b ×1, four empty cells.
const sourceCells = ['a', 'a', 'a', 'b', null, null, null, null];

describe('the rule', () => {
  it('scores a missing value only for an input a payload may leave out', () => {
    expect(missingIsScored({ optional: true })).toBe(true);
    expect(missingIsScored({})).toBe(false);
    expect(missingIsScored({ optional: false })).toBe(false);
  });

  it('required input: empty cells leave both sides and the present shares are renormalised', () => {
    const profile = profileCategorical('source', sourceCells);
    // Current: a ×1, b ×1 and three empty cells. Over present values: reference 3/4, 1/4; current 1/2, 1/2.
    const counter = new DriftCounter(profile, false).addAll(['a', 'b', null, null, null]);
    const expected = (0.5 - 0.75) * ln(0.5 / 0.75) + (0.5 - 0.25) * ln(0.5 / 0.25);
    const drift = counter.result();
    expect(drift.psi).toBeCloseTo(expected, 12);
    expect(drift.bins.map((bin) => bin.label)).toEqual(['a', 'b']);
    // Still counted, for the empty-cells note: just not drift.
    expect(drift.missingReference).toBe(4);
    expect(drift.missingCurrent).toBe(3);
  });

  it('optional input: "(missing)" is a bin on both sides', () => {
    const profile = profileCategorical('source', sourceCells);
    const drift = new DriftCounter(profile, true).addAll(['a', 'b', null, null, null]).result();
    // Reference 3/8, 1/8, 4/8; current 1/5, 1/5, 3/5.
    const expected =
      (0.2 - 0.375) * ln(0.2 / 0.375) + (0.2 - 0.125) * ln(0.2 / 0.125) + (0.6 - 0.5) * ln(0.6 / 0.5);
    expect(drift.psi).toBeCloseTo(expected, 12);
    expect(drift.bins.map((bin) => bin.label)).toEqual(['a', 'b', '(missing)']);
  });

  it("the bundle's profile gives the service the app's PSI, for a required and an optional input", () => {
    const reference: ReferenceProfile = {
      profileVersion: 1,
      rows: 8,
      features: [
        profileCategorical('source', sourceCells),
        profileNumeric('income', [10, 20, 30, 40, 50, null, null, 60]),
      ],
    };
    for (const optional of [false, true]) {
      const inputs = [
        { ...source, optional },
        { ...income, optional },
      ];
      const bundle = bundleDriftProfile({ inputs }, reference, 'ref.csv');
      const [sourceShares, incomeShares] = bundle.features;
      if (sourceShares?.kind !== 'categorical' || incomeShares?.kind !== 'numeric') throw new Error('kinds');
      if (optional) {
        expect(sourceShares.shares).toEqual({ a: 3 / 8, b: 1 / 8 });
        expect(sourceShares.missingShare).toBe(4 / 8);
        expect(incomeShares.missingShare).toBe(2 / 8);
        expect(bundle.reference).toEqual({ fileName: 'ref.csv', rows: 8 });
      } else {
        expect(sourceShares.shares).toEqual({ a: 3 / 4, b: 1 / 4 });
        expect(sourceShares.missingShare).toBe(0);
        expect(incomeShares.missingShare).toBe(0);
        expect(incomeShares.shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
        expect(bundle.reference).toEqual({
          fileName: 'ref.csv',
          rows: 8,
          emptyCellsLeftOut: { source: 4, income: 2 },
        });
      }
      // The service's computation (assets/bundle/server/drift.js): shares in place of counts.
      const current = ['b', 'b', 'a', null];
      const app = new DriftAccumulator(reference, inputs.map(missingIsScored));
      for (const cell of current) app.addRow([cell, null]);
      const appSource = app.report().features[0]!;
      const served = computePsiFromCounts(
        {
          kind: 'categorical',
          name: 'source',
          counts: sourceShares.shares,
          missing: sourceShares.missingShare,
        },
        [1, 2],
        1,
        new Map(),
        missingIsScored(inputs[0]!),
      );
      expect(served.psi).toBeCloseTo(appSource.psi, 12);
    }
  });

  it("the rule crosses from the batch engine's workers to the merge", () => {
    const reference: ReferenceProfile = {
      profileVersion: 1,
      rows: 8,
      features: [profileCategorical('source', sourceCells)],
    };
    const parts = [
      ['a', null],
      ['b', null, null],
    ].map((cells) => {
      const accumulator = new DriftAccumulator(reference, [false]);
      for (const cell of cells) accumulator.addRow([cell]);
      return accumulator.state();
    });
    const merged = mergeDrift(reference, parts).features[0]!;
    const whole = new DriftCounter(reference.features[0]!, false)
      .addAll(['a', null, 'b', null, null])
      .result();
    expect(merged.psi).toBeCloseTo(whole.psi, 12);
    expect(merged.bins.map((bin) => bin.label)).toEqual(['a', 'b']);
  });
});

describe("the export's note", () => {
  it('names each input and its count', () => {
    expect(describeEmptyCellsLeftOut({ annual_income: 181 })).toBe(
      'Left out of the reference profile: 181 empty annual_income cells (the service requires this input, so it never scores an empty one; the other shares are renormalised).',
    );
    expect(describeEmptyCellsLeftOut({ lead_source: 1, annual_income: 1181 })).toBe(
      'Left out of the reference profile: 1 empty lead_source cell and 1,181 empty annual_income cells (the service requires these inputs, so it never scores an empty one; the other shares are renormalised).',
    );
  });
});
