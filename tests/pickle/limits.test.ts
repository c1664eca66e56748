import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import {
  defaultLimits,
  type LoadLimits,
  loadPickleBytes,
  loadPickleFile,
} from '../../main/sklearn/pickle/index.ts';

const fixtures = join(import.meta.dirname, '..', 'fixtures', 'pickle');
const fixture = (path: string) => readFileSync(join(fixtures, path));
const lzmaFixture = (path: string) => readFileSync(join(fixtures, '..', 'lzma', path));
const MiB = 1024 * 1024;

function errorOf(load: () => unknown): AppError {
  try {
    load();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('loaded without an error');
}

function refusedFor(bytes: Uint8Array, limits: Partial<LoadLimits>): AppError {
  const error = errorOf(() => loadPickleBytes(bytes, limits));
  expect(error.code).toBe('refused-pickle');
  return error;
}

describe('load limits', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'modeldock-pickle-limits-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('has documented defaults', () => {
    expect(defaultLimits).toEqual({
      maxFileBytes: 1024 * MiB,
      maxMemoEntries: 5_000_000,
      maxDepth: 500,
      maxArrayBytes: 1024 * MiB,
      maxArrayElements: 128 * MiB,
      maxTextElements: 10_000_000,
      maxTextBytes: 256 * MiB,
      maxOps: 50_000_000,
      maxSharedExpansion: 20_000_000,
    });
  });

  it('refuses a file larger than maxFileBytes before reading it', async () => {
    const path = join(tmp, 'big.pkl');
    writeFileSync(path, fixture('valid/pipeline_p4.pkl'));
    await expect(loadPickleFile(path, { maxFileBytes: 100 })).rejects.toMatchObject({
      code: 'refused-pickle',
      details: { limit: 'maxFileBytes' },
    });
  });

  const zeros = new Uint8Array(8 * MiB);
  it.each([
    ['zlib', () => deflateSync(zeros)],
    ['gzip', () => gzipSync(zeros)],
    ['xz', () => fixture('malformed/bomb_xz.joblib')],
    ['lzma', () => lzmaFixture('bomb_64mb_zeros.lzma')],
    ['xz (64 MiB)', () => lzmaFixture('bomb_64mb_zeros.xz')],
    ['bz2', () => fixture('malformed/bomb_bz2.joblib')],
  ])('stops a %s decompression bomb at maxFileBytes', (_kind, make) => {
    const bomb = make();
    expect(bomb.length).toBeLessThan(MiB);
    const error = refusedFor(bomb, { maxFileBytes: MiB });
    expect(error.message).toBe('refused: the file decompresses to more than 1 MB, the limit for one model');
  });

  it.each([
    ['a zlib bomb', () => deflateSync(zeros), { maxFileBytes: MiB }],
    ['a gzip bomb', () => gzipSync(zeros), { maxFileBytes: MiB }],
    ['a truncated gzip file', () => gzipSync(fixture('valid/pipeline_p4.pkl')).subarray(0, 200), {}],
    ['a damaged zlib stream', () => Uint8Array.from([0x78, 0x9c, 0xff, 0xff, 0xff, 0x00]), {}],
  ])('reads %s from disk (two-pass inflate) with the in-memory answer', async (_name, make, limits) => {
    const bytes = make();
    const path = join(tmp, 'compressed.joblib');
    writeFileSync(path, bytes);
    const inMemory = errorOf(() => loadPickleBytes(bytes, limits));
    await expect(loadPickleFile(path, limits)).rejects.toMatchObject({
      code: inMemory.code,
      message: inMemory.message,
    });
  });

  it('reads a compressed joblib file from disk to the same value as in memory', async () => {
    const bytes = fixture('valid/pipeline_joblib_zlib.joblib');
    expect(await loadPickleFile(join(fixtures, 'valid/pipeline_joblib_zlib.joblib'))).toEqual(
      loadPickleBytes(bytes),
    );
  });

  it('refuses more memo entries than maxMemoEntries', () => {
    const puts: number[] = [0x80, 2, 0x4e];
    for (let i = 0; i < 200; i++) puts.push(0x72, i & 0xff, i >> 8, 0, 0); // LONG_BINPUT i
    puts.push(0x2e);
    const error = refusedFor(Uint8Array.from(puts), { maxMemoEntries: 100 });
    expect(error.details).toMatchObject({ limit: 'maxMemoEntries' });
    expect(loadPickleBytes(Uint8Array.from(puts), { maxMemoEntries: 200 })).toBeNull();
  });

  it('refuses more instructions than maxOps', () => {
    const error = refusedFor(fixture('valid/pipeline_p4.pkl'), { maxOps: 50 });
    expect(error.message).toBe(
      'refused: the file needs more than 50 pickle instructions, the limit for one load',
    );
  });

  it.each(['valid/numpy_p2.pkl', 'valid/numpy_p5.pkl', 'valid/numpy_joblib_raw.joblib'])(
    'refuses arrays beyond maxArrayBytes in %s',
    (path) => {
      const error = refusedFor(fixture(path), { maxArrayBytes: 64 });
      expect(error.details).toMatchObject({ limit: 'maxArrayBytes' });
    },
  );

  it('applies maxDepth to the nesting of the loaded value', () => {
    const dicts = [0x80, 2];
    for (let i = 0; i < 60; i++) dicts.push(0x7d, 0x4b, 0x01);
    dicts.push(0x7d, ...new Array(60).fill(0x73), 0x2e);
    expect(() => loadPickleBytes(Uint8Array.from(dicts), { maxDepth: 100 })).not.toThrow();
    const error = refusedFor(Uint8Array.from(dicts), { maxDepth: 50 });
    expect(error.details).toMatchObject({ limit: 'maxDepth' });
  });
});
