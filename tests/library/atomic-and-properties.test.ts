import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { computePsiCategorical, computePsiNumeric, decileEdges } from '../../main/analysis/psi.ts';
import { writeFileStaged } from '../../main/files/staged-write.ts';
import { removeTempDirs, tempDir } from './helpers.ts';

afterAll(removeTempDirs);

describe('staged writes (temp file, then rename)', () => {
  it('replaces the file whole and leaves no temp file', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'library.json');
    await writeFileStaged(file, 'first');
    await writeFileStaged(file, 'second');
    expect(await fs.readFile(file, 'utf8')).toBe('second');
    expect(await fs.readdir(dir)).toEqual(['library.json']);
  });

  it('keeps the old contents and cleans up when the rename fails', async () => {
    const dir = await tempDir();
    const target = path.join(dir, 'library.json');
    // A non-empty folder where the file should go: rename cannot replace it.
    await fs.mkdir(path.join(target, 'inside'), { recursive: true });
    await expect(writeFileStaged(target, 'new')).rejects.toThrow();
    expect((await fs.readdir(dir)).sort()).toEqual(['library.json']);
    expect((await fs.stat(target)).isDirectory()).toBe(true);
  });
});

describe('PSI properties', () => {
  const values = fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 300 });
  const categories = fc.array(fc.constantFrom('a', 'b', 'c', 'd', ''), { minLength: 1, maxLength: 300 });

  it('is never negative, and 0 for the same data in any order', () => {
    fc.assert(
      fc.property(values, values, (reference, current) => {
        expect(computePsiNumeric('x', reference, current).psi).toBeGreaterThanOrEqual(0);
        expect(computePsiNumeric('x', reference, [...reference].reverse()).psi).toBeCloseTo(0, 12);
      }),
    );
    fc.assert(
      fc.property(categories, categories, (reference, current) => {
        expect(computePsiCategorical('c', reference, current).psi).toBeGreaterThanOrEqual(0);
        expect(computePsiCategorical('c', reference, [...reference].reverse()).psi).toBeCloseTo(0, 12);
      }),
    );
  });

  it('decile edges are strictly increasing values of the reference, below its maximum', () => {
    fc.assert(
      fc.property(values, (reference) => {
        const edges = decileEdges(reference);
        const max = Math.max(...reference);
        for (let i = 0; i < edges.length; i++) {
          expect(reference).toContain(edges[i]);
          expect(edges[i]!).toBeLessThan(max);
          if (i > 0) expect(edges[i]!).toBeGreaterThan(edges[i - 1]!);
        }
        expect(edges.length).toBeLessThanOrEqual(9);
      }),
    );
  });

  it('bin shares add up to 1 on both sides', () => {
    fc.assert(
      fc.property(values, values, (reference, current) => {
        const { bins } = computePsiNumeric('x', reference, current);
        const sum = (key: 'referenceShare' | 'currentShare') =>
          bins.reduce((total, bin) => total + bin[key], 0);
        expect(sum('referenceShare')).toBeCloseTo(1, 9);
        expect(sum('currentShare')).toBeCloseTo(1, 9);
      }),
    );
  });
});
