import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { loadPickleBytes, loadPickleFile, PyDict } from '../../main/sklearn/pickle/index.ts';

// Each malformed fixture's exact error is a row of tests/fixtures/models.json (tests/core/model-files.test.ts);
// here, what a file can't show: bombs built in memory, and the billion-laughs file read with other limits.
const dir = join(import.meta.dirname, '..', 'fixtures', 'pickle', 'malformed');

function errorOf(load: () => unknown): AppError {
  try {
    load();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('loaded without an error');
}

describe('malformed pickles get clear, typed errors', () => {
  it('says where a truncated file ends', () => {
    const error = errorOf(() => loadPickleBytes(Uint8Array.from([0x80, 0x04, 0x8c, 0x10, 0x61])));
    expect(error.message).toBe(
      'This pickle file is truncated: it ends in the middle of a SHORT_BINUNICODE string (byte 4).',
    );
  });

  it.each([
    ['MARKs', () => new Uint8Array(200_000).fill(0x28)],
    [
      'lists nested through APPEND',
      () => bytes([0x80, 2], repeat(0x5d, 200_000), repeat(0x61, 199_999), [0x2e]),
    ],
    ['tuples nested through TUPLE1', () => bytes([0x80, 2, 0x4e], repeat(0x85, 200_000), [0x2e])],
    [
      'dicts nested through SETITEM',
      () => bytes([0x80, 2], repeat([0x7d, 0x4b, 0x01], 100_000), [0x7d], repeat(0x73, 100_000), [0x2e]),
    ],
  ])('refuses a 200 000-level recursion bomb of %s without overflowing the stack', (_name, make) => {
    const error = errorOf(() => loadPickleBytes(make()));
    expect(error.code).toBe('refused-pickle');
    expect(error.message).toBe('refused: the file nests data more than 500 levels deep');
  });

  it('refuses memo reuse that would expand past the budget when walked (billion laughs)', async () => {
    await expect(loadPickleFile(join(dir, 'billion_laughs.pkl'))).rejects.toMatchObject({
      code: 'refused-pickle',
      message:
        'refused: the file\'s shared data expands to 1.1e30 values when read as a tree (a "billion laughs" file); ModelDock allows 20000000 more than the file holds',
      details: { limit: 'maxSharedExpansion' },
    });
  });

  it('keeps memo reuse shared instead of copying it', async () => {
    const value = await loadPickleFile(join(dir, 'billion_laughs.pkl'), {
      maxSharedExpansion: Number.POSITIVE_INFINITY,
    });
    // 30 levels of 10 references each: 10**30 leaves if copied; the same list object when shared.
    let level = value as unknown[];
    for (let depth = 0; depth < 30; depth++) {
      expect(level).toHaveLength(10);
      expect(level[0]).toBe(level[9]);
      level = level[0] as unknown[];
    }
    expect(level).toBe('lol');
  });

  it('loads a dict of nested-but-legal depth', () => {
    const v = loadPickleBytes(
      bytes([0x80, 2], repeat([0x7d, 0x4b, 0x01], 100), [0x7d], repeat(0x73, 100), [0x2e]),
    );
    expect(v).toBeInstanceOf(PyDict);
  });
});

function repeat(pattern: number | number[], times: number): number[] {
  const unit = Array.isArray(pattern) ? pattern : [pattern];
  const out = new Array<number>(unit.length * times);
  for (let i = 0; i < out.length; i++) out[i] = unit[i % unit.length] as number;
  return out;
}

function bytes(...parts: number[][]): Uint8Array {
  return Uint8Array.from(parts.flat());
}
