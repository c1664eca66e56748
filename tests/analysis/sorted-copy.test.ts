// sortedCopy skips the sort when its input is already ascending (batch workers hand over sorted scores);
// whatever the input, the answer must be what sorting a copy gives, -0 read as 0.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { binaryCurve, mergeAscending, sortedCopy } from '../../main/analysis/labelled-scores.ts';

const bySort = (values: number[]) => Float64Array.from(values, (v) => v + 0).sort();

it('equals a sorted copy for any input, sorted or not, with -0 and NaN', () => {
  const value = fc.oneof(fc.double(), fc.constantFrom(0, -0, Number.NaN, 1, 1));
  fc.assert(
    fc.property(fc.array(value, { maxLength: 50 }), fc.boolean(), (values, presort) => {
      const input = presort ? [...bySort(values)] : values;
      expect([...sortedCopy(input)]).toEqual([...bySort(input)]);
    }),
    { numRuns: 500 },
  );
});

// mergeAscending joins the batch workers' sorted parts: the same as sorting both together.
it('mergeAscending of two ascending arrays equals their sorted concatenation', () => {
  const value = fc.oneof(fc.double({ noNaN: true }), fc.constantFrom(0, 0.5, 1));
  fc.assert(
    fc.property(fc.array(value, { maxLength: 40 }), fc.array(value, { maxLength: 40 }), (a, b) => {
      const left = Float64Array.from(a, (v) => v + 0).sort();
      const right = Float64Array.from(b, (v) => v + 0).sort();
      expect([...mergeAscending(left, right)]).toEqual([...bySort([...a, ...b])]);
    }),
    { numRuns: 500 },
  );
});

// binaryCurve keeps the curve it walked for the arrays of a split: a split with the same label-1
// scores but other label-0 scores gets its own curve, and a kept curve is what a fresh walk gives.
it("binaryCurve: one walk per pair of arrays, never another pair's curve", () => {
  const positives = Float64Array.of(0.2, 0.7, 0.9);
  const first = { rows: 5, positives, negatives: Float64Array.of(0.1, 0.7) };
  const second = { rows: 5, positives, negatives: Float64Array.of(0.8, 0.95) };
  const curve = binaryCurve(first);
  expect(binaryCurve({ ...first })).toBe(curve);
  const other = binaryCurve(second);
  expect([...other.thresholds]).toEqual([0.95, 0.9, 0.8, 0.7, 0.2]);
  expect([...other.tps]).toEqual([0, 1, 1, 2, 3]);
  expect([...other.fps]).toEqual([1, 1, 2, 2, 2]);
  const fresh = { rows: 5, positives: positives.slice(), negatives: first.negatives.slice() };
  expect(binaryCurve(fresh)).toEqual(curve);
  expect([...curve.thresholds]).toEqual([0.9, 0.7, 0.2, 0.1]);
  expect([...curve.tps]).toEqual([1, 2, 3, 3]);
  expect([...curve.fps]).toEqual([0, 1, 1, 2]);
});
