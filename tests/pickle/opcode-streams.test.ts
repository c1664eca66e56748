// A property over random instruction streams (issue 18): whatever a file's instructions and
// declared numpy shapes, opening it ends in a model or a typed refusal (what the CLI answers with
// exit 3), never a crash or a RangeError, and quickly. The streams are built from well-formed
// instructions, so they get past the first byte, unlike random bytes; numpy arrays are declared
// with shapes up to 2^53 and dtypes that include the zero-width ones (U0, S0, a record of size 0).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadPickleBytes } from '../../main/sklearn/pickle/index.ts';

const TYPED_CODES = ['refused-pickle', 'corrupt-model', 'unsupported-model'];
const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
const global = (module: string, name: string) => [0x63, ...ascii(`${module}\n${name}\n`)];
const shortText = (s: string) => [0x8c, s.length, ...ascii(s)];

/** LONG1: any non-negative integer up to 2^53. */
function long1(n: number): number[] {
  const bytes: number[] = [];
  let v = BigInt(n);
  do {
    bytes.push(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  if ((bytes[bytes.length - 1] as number) & 0x80) bytes.push(0);
  return [0x8a, bytes.length, ...bytes];
}

const dimension = fc.oneof(
  fc.integer({ min: 0, max: 8 }),
  fc.constantFrom(1000, 1_000_000, 2 ** 31, 10 ** 12, 2 ** 53 - 1),
);

/** numpy.dtype(spec) with its BUILD state, as numpy pickles one. */
const dtype = fc.oneof(
  fc.constantFrom('f8', 'f4', 'i8', 'i4', 'u1', 'b1', 'U0', 'U3', 'S0', 'S2', 'O8').map((spec) => {
    const size = spec.startsWith('U') ? Number(spec.slice(1)) * 4 : Number(spec.slice(1));
    return [
      ...global('numpy', 'dtype'),
      ...shortText(spec),
      0x89,
      0x88,
      0x87,
      0x52,
      0x28,
      0x4b,
      3,
      ...shortText('<'),
      0x4e,
      0x4e,
      0x4e,
      ...long1(size),
      0x4b,
      1,
      0x4b,
      0,
      0x74,
      0x62,
    ];
  }),
  // A record dtype with no fields and itemsize 0.
  fc.constant([
    ...global('numpy', 'dtype'),
    ...shortText('V0'),
    0x89,
    0x88,
    0x87,
    0x52,
    0x28,
    0x4b,
    3,
    ...shortText('|'),
    0x4e,
    0x29,
    0x7d,
    0x4b,
    0,
    0x4b,
    1,
    0x4b,
    16,
    0x74,
    0x62,
  ]),
);

/** numpy's _reconstruct + BUILD (version, shape, dtype, fortran, raw bytes). */
const array = fc
  .tuple(fc.array(dimension, { maxLength: 3 }), dtype, fc.boolean(), fc.uint8Array({ maxLength: 48 }))
  .map(([shape, dt, fortran, raw]) => [
    ...global('numpy.core.multiarray', '_reconstruct'),
    ...global('numpy', 'ndarray'),
    0x4b,
    0,
    0x85,
    0x43,
    1,
    0x62,
    0x87,
    0x52,
    0x28,
    0x4b,
    1,
    0x28,
    ...shape.flatMap(long1),
    0x74,
    ...dt,
    fortran ? 0x88 : 0x89,
    0x43,
    raw.length,
    ...raw,
    0x74,
    0x62,
  ]);

/** One instruction (or a short well-formed group), arguments included. */
const instruction = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 255 }).map((n) => [0x4b, n]) },
  {
    weight: 2,
    arbitrary: fc.string({ maxLength: 8 }).map((s) => shortText(s.replace(/[^\x20-\x7e]/g, 'x'))),
  },
  {
    weight: 8,
    arbitrary: fc.constantFrom(
      [0x28], // MARK
      [0x4e], // NONE
      [0x5d], // EMPTY_LIST
      [0x7d], // EMPTY_DICT
      [0x29], // EMPTY_TUPLE
      [0x8f], // EMPTY_SET
      [0x74], // TUPLE
      [0x6c], // LIST
      [0x64], // DICT
      [0x61], // APPEND
      [0x65], // APPENDS
      [0x73], // SETITEM
      [0x75], // SETITEMS
      [0x90], // ADDITEMS
      [0x91], // FROZENSET
      [0x85], // TUPLE1
      [0x86], // TUPLE2
      [0x87], // TUPLE3
      [0x32], // DUP
      [0x30], // POP
      [0x94], // MEMOIZE
      [0x62], // BUILD
      [0x52], // REDUCE
      [0x81], // NEWOBJ
    ),
  },
  { weight: 3, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => [0x68, n]) }, // BINGET
  { weight: 2, arbitrary: fc.integer({ min: 0, max: 8 }).map((n) => [0x71, n]) }, // BINPUT
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 64 }).map((n) => [0x95, n, 0, 0, 0, 0, 0, 0, 0]) }, // FRAME
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      global('sklearn.linear_model._logistic', 'LogisticRegression'),
      global('copyreg', '_reconstructor'),
      global('builtins', 'object'),
    ),
  },
  { weight: 3, arbitrary: array },
);

const stream = fc
  .tuple(fc.array(instruction, { maxLength: 40 }), fc.boolean())
  .map(([ops, stop]) => Uint8Array.from([0x80, 4, ...ops.flat(), ...(stop ? [0x2e] : [])]));

describe('random instruction streams', () => {
  it('end in a model or a typed refusal, never a crash, each within a second', () => {
    let slowest = 0;
    fc.assert(
      fc.property(stream, (bytes) => {
        const started = performance.now();
        try {
          convertSklearnValue(loadPickleBytes(bytes), {});
        } catch (error) {
          // convertSklearnFile reports any other Error as a damaged model; a RangeError is a crash.
          expect(error).not.toBeInstanceOf(RangeError);
          if (error instanceof AppError) expect(TYPED_CODES).toContain(error.code);
          else expect(error).toBeInstanceOf(Error);
        }
        slowest = Math.max(slowest, performance.now() - started);
      }),
      { numRuns: 3000, seed: Number(process.env.FUZZ_SEED ?? 18) },
    );
    expect(slowest).toBeLessThan(1000);
  });
});
