// The UBJSON decoder and the model readers face bytes from any file: every declared length is
// checked against the bytes present, nesting is capped, and damage is a typed error, never a crash.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { isAppError } from '../../main/errors.ts';
import { readXgboostModel } from '../../main/sklearn/xgboost/model.ts';
import { decodeUbjson, UbjsonError } from '../../main/sklearn/xgboost/ubjson.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/xgboost');
const bytes = (...parts: (string | number[])[]) =>
  Uint8Array.from(
    parts.flatMap((part) => (typeof part === 'string' ? [...part].map((c) => c.charCodeAt(0)) : part)),
  );
const int64 = (n: number) => Array.from(new Uint8Array(new BigInt64Array([BigInt(n)]).buffer)).reverse();

describe('UBJSON decoder', () => {
  test('reads what xgboost writes: objects, typed arrays (big-endian), strings, numbers', () => {
    const value = decodeUbjson(
      bytes(
        '{',
        'L',
        int64(1),
        'a',
        '[$d#',
        'i',
        [2],
        [0x3f, 0x80, 0, 0, 0xc0, 0, 0, 0],
        'i',
        [1],
        'b',
        'S',
        'i',
        [2],
        'hi',
        '}',
      ),
    );
    expect(value).toEqual({ a: Float32Array.of(1, -2), b: 'hi' });
  });

  test.each([
    ['a typed array longer than the file', bytes('[$d#', 'L', int64(1e12))],
    ['a string longer than the file', bytes('S', 'L', int64(1000), 'abc')],
    ['an untyped counted array longer than the file', bytes('[#', 'l', [0x7f, 0xff, 0xff, 0xff], 'Z')],
    ['a counted run of zero-byte values', bytes('[$Z#', 'l', [0x7f, 0xff, 0xff, 0xff])],
    ['a negative length', bytes('S', 'i', [0xff])],
    ['an int64 beyond 2^53', bytes('L', [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['nesting deeper than any model', bytes('['.repeat(100))],
    ['bytes after the value', bytes('Z', 'Z')],
    ['an unknown marker', bytes('Q')],
    ['an unterminated object', bytes('{', 'i', [1], 'a', 'T')],
  ])('refuses %s with a UbjsonError', (_, input) => {
    expect(() => decodeUbjson(input)).toThrow(UbjsonError);
  });

  test('random bytes give a value or a UbjsonError, nothing else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (input) => {
        try {
          decodeUbjson(input);
        } catch (error) {
          if (!(error instanceof UbjsonError)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('model readers', () => {
  test.each(['booster_binary.ubj', 'booster_binary.json', 'booster_binary.model'])(
    'every truncation of %s is a corrupt-model error',
    (file) => {
      const whole = new Uint8Array(readFileSync(path.join(fixtures, file)));
      expect(readXgboostModel(whole).trees).toHaveLength(30);
      for (let cut = 0; cut < whole.length; cut += Math.max(1, Math.floor(whole.length / 400))) {
        let error: unknown;
        try {
          readXgboostModel(whole.subarray(0, cut));
        } catch (caught) {
          error = caught;
        }
        expect(isAppError(error) && error.code, `cut at ${cut}`).toBe('corrupt-model');
      }
    },
  );

  test('the three layouts of one model read the same trees', () => {
    const read = (file: string) => readXgboostModel(new Uint8Array(readFileSync(path.join(fixtures, file))));
    const [ubj, json, binary] = ['booster_binary.ubj', 'booster_binary.json', 'booster_binary.model'].map(
      read,
    );
    for (const other of [json!, binary!]) {
      expect(other.objective).toBe(ubj!.objective);
      expect(other.baseScore).toEqual(ubj!.baseScore);
      expect(other.trees.map((tree) => Array.from(tree.value))).toEqual(
        ubj!.trees.map((tree) => Array.from(tree.value)),
      );
      expect(other.trees.map((tree) => Array.from(tree.defaultLeft))).toEqual(
        ubj!.trees.map((tree) => Array.from(tree.defaultLeft)),
      );
    }
    expect(ubj!.featureNames).toEqual(['age', 'income', 'ratio', 'balance']);
    expect(binary!.featureNames).toBeUndefined(); // the binary format has no place for them
  });
});
