import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ResultRows } from '../../main/scoring/result-rows.ts';
import { defaultReadLimits } from '../../main/scoring/types.ts';
import { leadColumns, leadRowGenerator, seededRandom } from '../../scripts/generate-leads.ts';
import type { ResultRowsRequest } from '../../shared/contract/index.ts';

// 200k rows: a 1M-row file works the same way but takes too long on this shared machine's test run.
const rowCount = 200_000;
const columns = [...leadColumns, 'note', 'probability_converted'];
const probabilityIndex = columns.length - 1;

let dir: string;
let file: string;
/** The truth the file is written from: every row's cells. */
let truth: string[][];

function quoteCell(cell: string): string {
  return /[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-rows-'));
  file = path.join(dir, 'scored.csv');
  const next = leadRowGenerator(11);
  const random = seededRandom(5);
  truth = [];
  for (let i = 0; i < rowCount; i++) {
    // Probabilities with 3 decimals so ties happen (the sort must keep the file's order on ties);
    // some notes are quoted with a comma, a quote and a line break (LF, CRLF or a lone CR: each is
    // one line to the reader, line-breaks.ts), so rows and lines differ.
    const lineBreak = ['\n', '\r\n', '\r'][i % 3];
    const note = i % 997 === 0 ? `call back, "soon"${lineBreak}line ${i}` : `n${i % 13}`;
    const probability = i % 5000 === 7 ? '' : (Math.round(random() * 1000) / 1000).toString();
    truth.push([...next().split(','), note, probability]);
  }
  const text = [columns, ...truth].map((cells) => cells.map(quoteCell).join(',')).join('\n');
  writeFileSync(file, `${text}\n`);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Brute force: filter the truth, then sort a copy with a plain comparator. */
function expected(request: ResultRowsRequest): number[] {
  const filters = Object.entries(request.filters ?? {}).map(
    ([column, text]) => [columns.indexOf(column), text.toLowerCase()] as const,
  );
  let rows = truth.map((_, i) => i);
  rows = rows.filter((i) => filters.every(([c, text]) => (truth[i]?.[c] ?? '').toLowerCase().includes(text)));
  const range = request.range;
  if (range) {
    const c = columns.indexOf(range.column);
    rows = rows.filter((i) => {
      const cell = truth[i]?.[c] ?? '';
      const value = Number(cell);
      return (
        cell !== '' &&
        (range.min === undefined || value >= range.min) &&
        (range.max === undefined || value <= range.max)
      );
    });
  }
  const sort = request.sort;
  if (sort) {
    const c = columns.indexOf(sort.column);
    const sign = sort.direction === 'asc' ? 1 : -1;
    rows.sort((a, b) => {
      const x = truth[a]?.[c] ?? '';
      const y = truth[b]?.[c] ?? '';
      if (x === '' || y === '') return x === y ? a - b : x === '' ? 1 : -1;
      return (Number(x) - Number(y)) * sign || a - b;
    });
  }
  return rows;
}

describe('results table rows (batch.rows) on a 200k-row output', () => {
  const results = new ResultRows(defaultReadLimits);
  const base = (): ResultRowsRequest => ({ path: file, delimiter: ',', offset: 0, limit: 50 });

  it('pages the file in its own order, with quoted multi-line cells read back whole', async () => {
    const page = await results.page({ ...base(), offset: 996, limit: 3 });
    expect(page.columns).toEqual(columns);
    expect(page.total).toBe(rowCount);
    expect(page.matching).toBe(rowCount);
    expect(page.rows.map((r) => r.cells)).toEqual(truth.slice(996, 999));
    const last = await results.page({ ...base(), offset: rowCount - 2, limit: 10 });
    expect(last.rows.map((r) => r.cells)).toEqual(truth.slice(rowCount - 2));
  });

  it('sorts by the probability, filters by text and score range, as brute force does', async () => {
    const requests: ResultRowsRequest[] = [
      { ...base(), sort: { column: 'probability_converted', direction: 'desc' } },
      { ...base(), offset: 123_456, sort: { column: 'probability_converted', direction: 'asc' } },
      {
        ...base(),
        offset: 40,
        sort: { column: 'annual_income', direction: 'asc' },
        filters: { lead_source: 'REFERRAL', location: 'eu' },
        range: { column: 'probability_converted', min: 0.25, max: 0.5 },
      },
      { ...base(), range: { column: 'probability_converted', min: 0.999 } },
      { ...base(), filters: { note: 'soon' }, limit: 1000 },
    ];
    for (const request of requests) {
      const want = expected(request);
      const page = await results.page(request);
      expect(page.matching).toBe(want.length);
      const rows = want.slice(request.offset, request.offset + request.limit);
      expect(page.rows.map((r) => r.row)).toEqual(rows);
      expect(page.rows.map((r) => r.cells)).toEqual(rows.map((i) => truth[i]));
    }
    // Empty probabilities sort last in both directions.
    const asc = await results.page({
      ...base(),
      offset: rowCount - 40,
      sort: { column: 'probability_converted', direction: 'asc' },
    });
    expect(asc.rows.at(-1)?.cells[probabilityIndex]).toBe('');
  }, 120_000);

  it('a newer sort cancels the one being built, and names an unknown column', async () => {
    const first = results.page({ ...base(), sort: { column: 'lead_score', direction: 'asc' } });
    const second = results.page({ ...base(), sort: { column: 'interaction_count', direction: 'desc' } });
    // The older request is cancelled while its index is being built; on a fast run it may already be done,
    // and then its answer must be right. Either way it never answers with the newer request's order.
    const older = await first.then(
      (answer) => answer,
      (error: unknown) => error,
    );
    if (older instanceof Error) expect(older).toMatchObject({ code: 'cancelled' });
    else
      expect((older as Awaited<typeof first>).rows.map((r) => r.row)).toEqual(
        expected({ ...base(), sort: { column: 'lead_score', direction: 'asc' } }).slice(0, 50),
      );
    const page = await second;
    expect(page.rows.map((r) => r.row)).toEqual(
      expected({ ...base(), sort: { column: 'interaction_count', direction: 'desc' } }).slice(0, 50),
    );
    await expect(results.page({ ...base(), sort: { column: 'nope', direction: 'asc' } })).rejects.toThrow(
      'The output has no column "nope".',
    );
  }, 60_000);
});
