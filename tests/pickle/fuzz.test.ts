import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { loadPickleBytes } from '../../main/sklearn/pickle/index.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'pickle', 'valid');
const seeds = [
  'pipeline_p2.pkl',
  'pipeline_p4.pkl',
  'pipeline_numpy2_p5.pkl',
  'plain_p0.pkl',
  'plain_p5.pkl',
  'numpy_p5.pkl',
  'numpy_joblib_aligned.joblib',
  'tree_p4.pkl',
  'pipeline_joblib_zlib.joblib',
].map((f) => new Uint8Array(readFileSync(join(dir, f))));

/**
 * Each case runs under an instruction and memory budget far above what the seeds need, so a
 * mutation that would loop or balloon is stopped by the reader's own limits (a typed refusal),
 * which is what keeps a crafted file from hanging the app; vitest's timeout catches anything else.
 */
const CASE_LIMITS = { maxOps: 200_000, maxArrayBytes: 64 * 1024 * 1024, maxFileBytes: 64 * 1024 * 1024 };
const TYPED_CODES = ['refused-pickle', 'corrupt-model', 'unsupported-model'];

type Mutation =
  | { kind: 'flip'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: number[] }
  | { kind: 'delete'; at: number; length: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    bytes: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 16 }) }),
);

function mutate(seed: Uint8Array, mutations: Mutation[]): Uint8Array {
  let bytes = seed.slice();
  for (const m of mutations) {
    const at = bytes.length === 0 ? 0 : m.at % (bytes.length + 1);
    if (m.kind === 'flip' && at < bytes.length) bytes[at] = m.value;
    else if (m.kind === 'truncate') bytes = bytes.slice(0, at);
    else if (m.kind === 'insert')
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...m.bytes, ...bytes.subarray(at)]);
    else if (m.kind === 'delete')
      bytes = Uint8Array.from([...bytes.subarray(0, at), ...bytes.subarray(at + m.length)]);
  }
  return bytes;
}

describe('fuzzing the reader with mutated valid pickles', () => {
  it('loads every unmutated seed within the per-case budget', () => {
    for (const seed of seeds) expect(() => loadPickleBytes(seed, CASE_LIMITS)).not.toThrow();
  });

  it('only ever returns a value or throws a typed refusal/corruption error, within its budget', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: seeds.length - 1 }),
        fc.array(mutation, { minLength: 1, maxLength: 4 }),
        (seedIndex, mutations) => {
          const input = mutate(seeds[seedIndex] as Uint8Array, mutations);
          try {
            loadPickleBytes(input, CASE_LIMITS);
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            expect(TYPED_CODES).toContain(error.code);
            expect(error.message.length).toBeGreaterThan(10);
          }
        },
      ),
      { numRuns: 4000, seed: Number(process.env.FUZZ_SEED ?? 20261127) },
    );
  });

  it('handles random bytes after a pickle header', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(0, 2, 4, 5),
        fc.uint8Array({ minLength: 0, maxLength: 200 }),
        (proto, body) => {
          const input = proto === 0 ? body : Uint8Array.from([0x80, proto, ...body]);
          try {
            loadPickleBytes(input);
          } catch (error) {
            if (!(error instanceof AppError)) throw error;
            expect(TYPED_CODES).toContain(error.code);
          }
        },
      ),
      { numRuns: 4000, seed: 7 },
    );
  });
});
