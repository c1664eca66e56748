import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SeededReservoir } from '../../main/analysis/background.ts';
import {
  coalitionColumns,
  type Player,
  type PlayerRow,
  type RowEvaluator,
  shapleyValues,
  shapleyWeights,
} from '../../main/analysis/shapley.ts';
import type { FieldValue } from '../../main/models/payload.ts';

/**
 * The Shapley axioms on models written as plain functions of a row: players are numbers, one is a
 * category (a lookup table) and one carries two values (an [N,2] input), so every kind of player the
 * app builds columns for is exercised.
 */
const players: Player[] = [
  { name: 'a', width: 1 },
  { name: 'b', width: 1 },
  { name: 'c', width: 1 },
  { name: 'pair', width: 2 },
  { name: 'colour', width: 1 },
];
const colours = ['red', 'green', 'blue'];

type RowFunction = (row: Record<string, FieldValue[]>) => number;

/** An evaluator over plain JS functions: rows rebuilt from the columns, one call per row. */
function evaluatorOf(f: RowFunction): RowEvaluator {
  return async (columns, rowCount) => {
    const out = new Float64Array(rowCount);
    for (let r = 0; r < rowCount; r++) {
      const row: Record<string, FieldValue[]> = {};
      for (const player of players) {
        row[player.name] = columns[player.name]!.slice(r * player.width, (r + 1) * player.width);
      }
      out[r] = f(row);
    }
    return out;
  };
}

const num = (row: Record<string, FieldValue[]>, name: string, k = 0) => Number(row[name]![k]);

/** A random nonlinear model: linear terms, pairwise products, a max, and a table over the category. */
const modelArbitrary = fc
  .record({
    linear: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: 5, maxLength: 5 }),
    products: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
    table: fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 3, maxLength: 3 }),
    hinge: fc.double({ min: -1, max: 1, noNaN: true }),
  })
  .map(
    (k): RowFunction =>
      (row) =>
        k.linear[0]! * num(row, 'a') +
        k.linear[1]! * num(row, 'b') +
        k.linear[2]! * num(row, 'c') +
        k.linear[3]! * num(row, 'pair', 0) +
        k.linear[4]! * num(row, 'pair', 1) +
        k.products[0]! * num(row, 'a') * num(row, 'b') +
        k.products[1]! * num(row, 'b') * num(row, 'pair', 1) +
        k.products[2]! * num(row, 'c') * num(row, 'pair', 0) +
        k.products[3]! * num(row, 'a') * k.table[colours.indexOf(String(row.colour![0]))]! +
        k.hinge * Math.max(num(row, 'a'), num(row, 'c')) +
        k.table[colours.indexOf(String(row.colour![0]))]!,
  );

const value = fc.double({ min: -5, max: 5, noNaN: true });
const rowArbitrary = fc.record({
  a: value.map((v) => [v]),
  b: value.map((v) => [v]),
  c: value.map((v) => [v]),
  pair: fc.tuple(value, value),
  colour: fc.constantFrom(...colours).map((v) => [v]),
}) as fc.Arbitrary<PlayerRow>;
const backgroundArbitrary = fc.array(rowArbitrary, { minLength: 1, maxLength: 6 });

const sum = (values: readonly number[]) => values.reduce((total, v) => total + v, 0);
const close = (a: number, b: number, scale = 1) => Math.abs(a - b) <= 1e-9 * Math.max(1, scale);

describe('Shapley properties (fast-check)', () => {
  test('additivity: base value + Σφ = f(x), exact and sampled', async () => {
    await fc.assert(
      fc.asyncProperty(modelArbitrary, rowArbitrary, backgroundArbitrary, async (f, x, background) => {
        for (const maxExact of [12, 2]) {
          const result = await shapleyValues(players, x, background, evaluatorOf(f), {
            maxExact,
            permutations: 8,
          });
          expect(result.value).toBe(f(x as Record<string, FieldValue[]>));
          expect(
            close(result.baseValue + sum(result.contributions), result.value, Math.abs(result.value)),
          ).toBe(true);
          expect(Math.abs(result.residual)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(result.value)));
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a dummy input (one the model ignores) gets exactly 0', async () => {
    await fc.assert(
      fc.asyncProperty(modelArbitrary, rowArbitrary, backgroundArbitrary, async (f, x, background) => {
        // f with `b` held at 0: b changes nothing any more.
        const ignoringB: RowFunction = (row) => f({ ...row, b: [0] });
        for (const maxExact of [12, 2]) {
          const result = await shapleyValues(players, x, background, evaluatorOf(ignoringB), {
            maxExact,
            permutations: 8,
          });
          expect(result.contributions[1]).toBe(0);
        }
      }),
      { numRuns: 60 },
    );
  });

  test('a row the same as every background row: every input gets exactly 0, the rounding stays in the residual', async () => {
    // (0.1 + 0.1 + 0.1) / 3 is not 0.1 in floating point: the mean over the background differs from
    // f(x) by rounding alone, which no input caused (fast-check found this with seed 1600232677).
    const row: PlayerRow = { a: [1], b: [2], c: [3], pair: [4, 5], colour: ['green'] };
    const f: RowFunction = (r) => 0.1 * num(r, 'a') + 0 * num(r, 'b');
    for (const maxExact of [12, 2]) {
      const result = await shapleyValues(players, row, [row, row, row], evaluatorOf(f), {
        maxExact,
        permutations: 8,
      });
      expect(result.contributions).toEqual([0, 0, 0, 0, 0]);
      expect(result.value).toBe(0.1);
      expect(Math.abs(result.residual)).toBeLessThanOrEqual(1e-15);
    }
  });

  test('two inputs the model treats symmetrically get equal values', async () => {
    await fc.assert(
      fc.asyncProperty(
        modelArbitrary,
        rowArbitrary,
        backgroundArbitrary,
        fc.double({ min: -2, max: 2, noNaN: true }),
        async (f, x, background, weight) => {
          // Symmetric in a and c: a function of a + c and a·c; x and every background row hold a = c.
          const symmetric: RowFunction = (row) => {
            const a = num(row, 'a');
            const c = num(row, 'c');
            return f({ ...row, a: [a + c], c: [a * c] }) + weight * Math.max(a, c);
          };
          const tie = (row: PlayerRow): PlayerRow => ({ ...row, c: row.a! });
          const result = await shapleyValues(players, tie(x), background.map(tie), evaluatorOf(symmetric));
          expect(close(result.contributions[0]!, result.contributions[2]!, Math.abs(result.value) + 1)).toBe(
            true,
          );
        },
      ),
      { numRuns: 60 },
    );
  });

  test('linearity: the values of f + g are the values of f plus the values of g', async () => {
    await fc.assert(
      fc.asyncProperty(
        modelArbitrary,
        modelArbitrary,
        rowArbitrary,
        backgroundArbitrary,
        async (f, g, x, background) => {
          const both: RowFunction = (row) => f(row) + g(row);
          const [pf, pg, pb] = await Promise.all(
            [f, g, both].map((model) => shapleyValues(players, x, background, evaluatorOf(model))),
          );
          pb!.contributions.forEach((phi, i) => {
            const scale = Math.abs(pf!.contributions[i]!) + Math.abs(pg!.contributions[i]!);
            expect(close(phi, pf!.contributions[i]! + pg!.contributions[i]!, scale)).toBe(true);
          });
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('building blocks', () => {
  test('the weights |S|!(n−|S|−1)!/n! sum to 1 over the coalitions without one player', () => {
    for (let n = 1; n <= 20; n++) {
      const weights = shapleyWeights(n);
      let total = 0;
      let binomial = 1;
      for (let s = 0; s < n; s++) {
        total += weights[s]! * binomial;
        binomial = (binomial * (n - 1 - s)) / (s + 1);
      }
      expect(Math.abs(total - 1)).toBeLessThan(1e-12);
    }
  });

  test('coalition columns take the explained row on the coalition and the background elsewhere', () => {
    const x: PlayerRow = { a: [1], b: [2], c: [3], pair: [4, 5], colour: ['red'] };
    const b: PlayerRow = { a: [-1], b: [-2], c: [-3], pair: [-4, -5], colour: ['blue'] };
    const columns = coalitionColumns(
      players,
      x,
      [b, b],
      [Uint8Array.of(1, 0, 0, 1, 0), Uint8Array.of(0, 1, 1, 0, 1)],
    );
    expect(columns.a).toEqual([1, 1, -1, -1]);
    expect(columns.pair).toEqual([4, 5, 4, 5, -4, -5, -4, -5]);
    expect(columns.colour).toEqual(['blue', 'blue', 'red', 'red']);
  });

  test('the seeded reservoir keeps the first rows in order, and a fixed draw from more', () => {
    const small = new SeededReservoir<number>(5, 15);
    for (let i = 0; i < 4; i++) small.offer(i);
    expect(small.items()).toEqual([0, 1, 2, 3]);
    const draw = () => {
      const big = new SeededReservoir<number>(5, 15);
      for (let i = 0; i < 1000; i++) big.offer(i);
      return big.items();
    };
    expect(draw()).toHaveLength(5);
    expect(draw()).toEqual(draw());
    expect(draw()).not.toEqual([0, 1, 2, 3, 4]);
  });
});
