import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { detectNumberFormat } from '../../main/scoring/inspection.ts';
import { blockedReason } from '../../renderer/batch/CsvReadSettings.tsx';
import type { CsvInspection, ScoringCheck } from '../../shared/contract/index.ts';
import { leadCsv, scoringFixture } from './helpers.ts';

/** #13's European CSVs: the number format comes from the data, and the output speaks it back. */
describe('number format from the data', () => {
  const rows = (cells: string[]) => cells.map((cell) => ['x', cell]);
  test.each([
    [['1', '2', '3'], ',', 'plain'],
    [['1.5', '2', '0.25'], ',', 'plain'],
    [['12,5', '3', '0,75'], ';', 'decimal-comma'],
    [['1.234,5', '7'], ';', 'decimal-comma'],
    [['1,234.5', '12,345.25'], ',', 'thousands-comma'],
    // 1,234 alone could be either; a ; file is Excel with decimal commas.
    [['1,234', '5,678'], ';', 'decimal-comma'],
    [['1,234', '5,678'], '\t', 'decimal-comma'],
    // Dots and commas as decimals in one column: not guessed.
    [['1,5', '2.5'], ';', 'plain'],
  ] as const)('%j in a %j file → %s', (cells, delimiter, expected) => {
    expect(detectNumberFormat(rows([...cells]), [1], delimiter)).toBe(expected);
  });
});

describe('a ; file from a European Excel', () => {
  let fx: Awaited<ReturnType<typeof scoringFixture>>;
  let european: string;
  let plainCsv: string;
  beforeAll(async () => {
    fx = await scoringFixture();
    // The real lead file with incomes in cents, and the same written as a European Excel writes it:
    // ; between fields, decimal commas, CRLF.
    const [header, ...lines] = readFileSync(leadCsv, 'utf8').trimEnd().split('\n');
    const cents = [header!, ...lines.map((line) => line.replace(/^([^,]*,[^,]*,[^,]*,)(\d+),/, '$1$2.25,'))];
    plainCsv = fx.file('cents.csv');
    writeFileSync(plainCsv, `${cents.join('\n')}\n`);
    const text = cents
      .map((line) =>
        line
          .split(',')
          .map((cell) => cell.replace(/^(\d+)\.(\d+)$/, '$1,$2'))
          .join(';'),
      )
      .join('\r\n');
    european = fx.file('european.csv');
    writeFileSync(european, `${text}\r\n`);
  });
  afterAll(async () => {
    await fx.close();
  });

  test('is read with decimal commas without being told, and written back with them', async () => {
    const fill = {
      lead_source: { mode: 'fill', value: 'NA' },
      annual_income: { mode: 'fill', value: '0' },
    } as const;
    const inspection = await fx.scoring.inspect({ modelId: fx.info.modelId, path: european });
    expect(inspection.dialect.delimiter).toBe(';');
    expect(inspection.detectedNumberFormat).toBe('decimal-comma');
    const setup = { modelId: fx.info.modelId, path: european, missing: fill };
    const summary = await fx.scoring.score({
      ...setup,
      outputPath: fx.file('european-scored.csv'),
      overwrite: true,
      threshold: 0.5,
    });
    expect(summary).toMatchObject({ rows: 1462, scored: 1462, failed: 0, numberFormat: 'decimal-comma' });
    const plain = await fx.scoring.score({
      ...fx.setup(plainCsv, { missing: fill }),
      outputPath: fx.file('plain-scored.csv'),
      overwrite: true,
      threshold: 0.5,
    });
    const read = (file: string, delimiter: string) =>
      parse(readFileSync(file), { columns: true, delimiter }) as Record<string, string>[];
    const europeanRows = read(summary.outputPath, ';');
    const plainRows = read(plain.outputPath, ',');
    // The same probability, written 0,5336 in the ; file.
    expect(europeanRows[0]!.predicted_probability).toMatch(/^0,\d+$/);
    expect(europeanRows.map((row) => row.predicted_probability!.replace(',', '.'))).toEqual(
      plainRows.map((row) => row.predicted_probability),
    );
  });

  test('read as plain numbers, most rows fail, and the panel blocks Score with the reason', async () => {
    const check = await fx.scoring.check({ modelId: fx.info.modelId, path: european, numberFormat: 'plain' });
    expect(check.failingRows * 2).toBeGreaterThan(check.rows);
    const inspection = { unmappedInputs: [] } as unknown as CsvInspection;
    expect(blockedReason(inspection, check)).toMatch(
      /^1,\d{3} of 1,462 rows would fail with these settings \(e\.g\. annual_income on line \d+: “\d+,25” has a decimal comma; choose the "1\.234,5" number format to read it\); check the number format, delimiter and mapping\.$/,
    );
    const fine: ScoringCheck = { ...check, failingRows: 0 };
    expect(blockedReason(inspection, fine)).toBeNull();
  });
});
