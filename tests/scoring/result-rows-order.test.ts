// The newest sort wins even when an older request's file check finishes last (the awaits of two
// requests made back to back may complete in either order: a flaky CI run cancelled the newer one).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

/** Paths whose next stat is held back, to make an older request arrive last. */
const delayed = new Map<string, number>();
vi.mock('node:fs/promises', async (original) => {
  const actual = await original<typeof import('node:fs/promises')>();
  return {
    ...actual,
    stat: async (...args: Parameters<typeof actual.stat>) => {
      const wait = delayed.get(String(args[0]));
      if (wait) {
        delayed.delete(String(args[0]));
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
      return actual.stat(...args);
    },
  };
});

const { ResultRows } = await import('../../main/scoring/result-rows.ts');
const { defaultReadLimits } = await import('../../main/scoring/types.ts');

let dir: string;
let file: string;
const rowCount = 2000;
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-rows-order-'));
  file = path.join(dir, 'scored.csv');
  const lines = ['a,b'];
  for (let i = 0; i < rowCount; i++) lines.push(`${i},${(i * 7919) % rowCount}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('an older sort that arrives last is the one cancelled; the newer answers with its own order', async () => {
  const results = new ResultRows(defaultReadLimits);
  const request = (column: string) => ({
    path: file,
    delimiter: ',' as const,
    offset: 0,
    limit: 5,
    sort: { column, direction: 'desc' as const },
  });
  await results.page(request('a')); // the file is indexed; now only the sorts race
  delayed.set(file, 200);
  const older = results.page(request('a')).then(
    () => 'answered',
    (error: { code?: string }) => error.code,
  );
  const newer = await results.page(request('b'));
  expect(newer.rows.map((row) => Number(row.cells[1]))).toEqual([1999, 1998, 1997, 1996, 1995]);
  expect(await older).toBe('cancelled');
});
