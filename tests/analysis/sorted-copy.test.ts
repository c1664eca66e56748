// sortedCopy skips the sort when its input is already ascending (batch workers hand over sorted scores);
// whatever the input, the answer must be what sorting a copy gives, -0 read as 0.
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { sortedCopy } from '../../main/analysis/labelled-scores.ts';

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
