import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  columnsToFeeds,
  feedShape,
  fillInt64,
  firstRows,
  needsOneRowPerRun,
  rowsToFeeds,
  runRowMultiple,
} from '../../main/models/tensors.ts';
import type { ModelInput } from '../../shared/contract/index.ts';

const input = (
  name: string,
  type: ModelInput['type'],
  shape: ModelInput['shape'],
  width = 1,
): ModelInput => ({
  name,
  type,
  shape,
  kind: type === 'string' ? 'string' : type === 'bool' ? 'bool' : 'numeric',
  width,
});

describe('rowsToFeeds', () => {
  test('builds each element type with the declared rank ([N,1], [N] and [N,F]), padded to the run size with copies of the last row', () => {
    const inputs = [
      input('f32', 'float', ['N', 1]),
      input('f64', 'double', ['N']),
      input('i64', 'int64', ['N', 1]),
      input('s', 'string', ['N', 1]),
      input('b', 'bool', ['N']),
      input('m', 'float', ['N', 2], 2),
    ];
    const feeds = rowsToFeeds(inputs, [
      { f32: [1.5], f64: [2.25], i64: [3], s: ['a'], b: [true], m: [1, 2] },
      { f32: [4], f64: [5], i64: [-6], s: ['b'], b: [false], m: [3, 4] },
    ]);
    // Two rows asked for, 16 run (runRowMultiple): rows 2 to 15 repeat row 1.
    const copies = <T>(first: T[], last: T[]) => [...first, ...last, ...Array(14).fill(last).flat()];
    expect(runRowMultiple).toBe(16);
    expect(feeds.f32!.type).toBe('float32');
    expect(feeds.f32!.dims).toEqual([16, 1]);
    expect(feeds.f32!.data).toEqual(Float32Array.from(copies([1.5], [4])));
    expect(feeds.f64!.dims).toEqual([16]);
    expect(feeds.f64!.data).toEqual(Float64Array.from(copies([2.25], [5])));
    expect(feeds.i64!.data).toEqual(BigInt64Array.from(copies([3n], [-6n])));
    expect(feeds.s!.data).toEqual(copies(['a'], ['b']));
    expect(feeds.b!.type).toBe('bool');
    expect(Array.from(feeds.b!.data as Uint8Array)).toEqual(copies([1], [0]));
    expect(feeds.m!.dims).toEqual([16, 2]);
    expect(feeds.m!.data).toEqual(Float32Array.from(copies([1, 2], [3, 4])));
  });

  test('a model whose batch dimension is fixed gets its rows unpadded', () => {
    const feeds = rowsToFeeds([input('x', 'float', [1, 2], 2)], [{ x: [1, 2] }]);
    expect(feeds.x!.dims).toEqual([1, 2]);
    expect(feeds.x!.data).toEqual(Float32Array.from([1, 2]));
  });

  test('firstRows cuts a padded run back to the rows asked for, leaving outputs without a row dimension', () => {
    const outputs = {
      probabilities: { type: 'float32', dims: [16, 2], data: Float32Array.from({ length: 32 }, (_, i) => i) },
      label: { type: 'string', dims: [16], data: Array.from({ length: 16 }, (_, i) => `c${i}`) },
      scalar: { type: 'float32', dims: [], data: Float32Array.from([7]) },
    };
    const symbolic = [{ shape: ['N', 2] }];
    const cut = firstRows(outputs, symbolic, 3);
    expect(cut.probabilities).toEqual({
      type: 'float32',
      dims: [3, 2],
      data: Float32Array.from([0, 1, 2, 3, 4, 5]),
    });
    expect(cut.label).toEqual({ type: 'string', dims: [3], data: ['c0', 'c1', 'c2'] });
    expect(cut.scalar).toBe(outputs.scalar);
    expect(firstRows(outputs, symbolic, 16).probabilities).toBe(outputs.probabilities);
  });

  test('columns must hold rowCount × width values', () => {
    const inputs = [input('m', 'float', ['N', 2], 2)];
    expect(() => columnsToFeeds(inputs, { m: [1, 2, 3] }, 2)).toThrow('Column m has 3 values; expected 4.');
    expect(columnsToFeeds(inputs, { m: [1, 2, 3, 4] }, 2).m!.dims).toEqual([16, 2]);
  });
});

test('feedShape keeps higher ranks and scalars', () => {
  expect(feedShape({ shape: ['N', 2, 2], width: 4 }, 3)).toEqual([3, 2, 2]);
  expect(feedShape({ shape: [], width: 1 }, 1)).toEqual([]);
});

test('a batch dimension fixed to 1 means one row per run', () => {
  expect(needsOneRowPerRun([input('x', 'float', [1, 4], 4)])).toBe(true);
  expect(needsOneRowPerRun([input('x', 'float', ['N', 4], 4)])).toBe(false);
});

describe('int64 tensors', () => {
  const viaBigInt = (values: number[]) => values.map((value) => BigInt(Math.trunc(value)));
  const edges = [
    0,
    -0,
    1,
    -1,
    2 ** 31 - 1,
    -(2 ** 31),
    2 ** 32 - 1,
    2 ** 32,
    -(2 ** 32),
    2 ** 32 + 1,
    2 ** 53 - 1,
    -(2 ** 53 - 1),
    1.9,
    -1.9,
    123456789012,
  ];

  test('hold exactly the integers BigInt gives, at the 32-bit and 2^53 edges and for random values', () => {
    expect([...fillInt64(new BigInt64Array(edges.length), edges)]).toEqual(viaBigInt(edges));
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.maxSafeInteger(), fc.double({ noNaN: true, min: -1e15, max: 1e15 }))),
        (values) => {
          expect([...fillInt64(new BigInt64Array(values.length), values)]).toEqual(viaBigInt(values));
        },
      ),
    );
  });

  test("uint64 wraps negative values as BigUint64Array does, and values beyond 2^53 keep BigInt's rounding", () => {
    const values = [5, -1, 2 ** 53 + 2, 2 ** 60];
    const expected = new BigUint64Array(values.length);
    values.forEach((value, i) => {
      expected[i] = BigInt(value);
    });
    expect([...fillInt64(new BigUint64Array(values.length), values)]).toEqual([...expected]);
  });

  test('columnsToFeeds builds int64 feeds with these exact values', () => {
    const feeds = columnsToFeeds([input('n', 'int64', [null, 1])], { n: [3, -7, 2 ** 40] }, 3);
    expect([...(feeds.n!.data as BigInt64Array)].slice(0, 3)).toEqual([3n, -7n, 2n ** 40n]);
  });
});
