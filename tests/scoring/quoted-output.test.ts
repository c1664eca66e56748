import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import { readCsvRecords } from '../../main/scoring/csv-source.ts';
import { ScoringService } from '../../main/scoring/scoring-service.ts';
import { defaultReadLimits } from '../../main/scoring/types.ts';
import { leadRowGenerator } from '../../scripts/generate-leads.ts';
import { leadHeader, sampleModel } from './helpers.ts';

/**
 * Quoted files read on the reader's fast path (plain-lines.ts) must give the output csv-parse's
 * records give. A blank line at the end makes the fast path decline the piece holding it, which for
 * a file smaller than one read (256 KiB) is the whole file, so csv-parse reads all of that variant:
 * the same records and line numbers, another path.
 */
let dir: string;
let models: ModelService;
let modelId: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-quoted-'));
  models = new ModelService({ dataDir: path.join(dir, 'data') });
  modelId = (await models.open(sampleModel)).modelId;
});
afterAll(async () => {
  await models.closeAll();
  rmSync(dir, { recursive: true, force: true });
});

async function score(name: string, text: string) {
  const input = path.join(dir, `${name}.csv`);
  writeFileSync(input, text);
  const outputPath = path.join(dir, `${name}-out.csv`);
  const summary = await new ScoringService(models, { parallelMinBytes: Number.POSITIVE_INFINITY }).score({
    modelId,
    path: input,
    numberFormat: 'plain',
    missing: { lead_source: { mode: 'fill', value: 'NA' }, annual_income: { mode: 'fill', value: '0' } },
    outputPath,
    overwrite: true,
    threshold: 0.5,
    labelColumn: 'converted',
  });
  const { seconds: _seconds, rowsPerSecond: _rate, outputPath: _out, errorsPath: _errors, ...rest } = summary;
  return { output: readFileSync(outputPath, 'utf8'), summary: rest };
}

/** How many records of the file the reader's fast path reads (those it gives a `texts` entry). */
async function fastRecords(name: string): Promise<number> {
  const dialect = { encoding: 'utf-8', delimiter: ',', quote: '"', hasHeader: true } as const;
  let count = 0;
  for await (const chunk of readCsvRecords(path.join(dir, `${name}.csv`), dialect, defaultReadLimits)) {
    count += chunk.texts?.length ?? 0;
  }
  return count;
}

const quoteAll = (cells: string[]) => cells.map((cell) => `"${cell.replaceAll('"', '""')}"`).join(',');

describe('quoted files read on the fast path', () => {
  const next = leadRowGenerator(5);
  const rows = Array.from({ length: 2000 }, () => next().split(','));

  test('every field quoted (a CRM export, BOM and CRLF) scores byte for byte like the unquoted file', async () => {
    const plain = await score('plain', `${leadHeader}\n${rows.map((cells) => cells.join(',')).join('\n')}\n`);
    const quoted = await score(
      'quoted',
      `\uFEFF${quoteAll(leadHeader.split(','))}\r\n${rows.map(quoteAll).join('\r\n')}\r\n`,
    );
    expect(quoted.output).toBe(plain.output);
    expect({ ...quoted.summary, dialect: undefined }).toEqual({ ...plain.summary, dialect: undefined });
  });

  test('cells holding delimiters, quotes and formulas are written as csv-parse reads them', async () => {
    const edited = rows.map((cells, k) => {
      const copy = [...cells];
      if (k % 7 === 0) copy[1] = 'retail, online';
      if (k % 11 === 0) copy[5] = 'the "EU" office';
      if (k % 13 === 0) copy[4] = '=HYPERLINK("x")';
      return copy;
    });
    const header = quoteAll(leadHeader.split(','));
    const body = edited.map(quoteAll).join('\n');
    const text = `${header}\n${body}\n`;
    expect(Buffer.byteLength(text)).toBeLessThan(256 * 1024);
    const fast = await score('fast', text);
    const csvParse = await score('csv-parse', `${text}\n`);
    expect(await fastRecords('fast')).toBe(rows.length + 1);
    expect(await fastRecords('csv-parse')).toBe(0);
    expect(fast.output).toBe(csvParse.output);
    expect(fast.summary).toEqual(csvParse.summary);
    expect(fast.output).toContain('"retail, online"');
    expect(fast.output).toContain('"the ""EU"" office"');
    expect(fast.output).toContain(`"'=HYPERLINK(""x"")"`);
  });
});
