import { describe, expect, test } from 'vitest';
import { isMissing, parseNumberCell, readCell } from '../../main/scoring/cell-values.ts';

const numeric = { kind: 'numeric', type: 'float' } as const;
const integer = { kind: 'numeric', type: 'int64' } as const;
const text = { kind: 'string', type: 'string' } as const;

describe('numbers', () => {
  test.each([
    ['1234.5', 1234.5],
    ['-1.5', -1.5],
    ['+3', 3],
    ['.5', 0.5],
    ['2e3', 2000],
    [' 42 ', 42],
  ])('plain format reads %j', (cell, value) => {
    expect(parseNumberCell(cell, 'plain')).toEqual({ ok: true, value });
  });

  test('plain format refuses a thousands separator and names the format that reads it', () => {
    const result = parseNumberCell('1,234.5', 'plain');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('"1,234.5" number format');
  });

  test('plain format refuses a decimal comma and names the format that reads it', () => {
    const result = parseNumberCell('12,5', 'plain');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toContain('decimal comma');
  });

  test('thousands-comma format reads 1,234.5 and 1,234,567', () => {
    expect(parseNumberCell('1,234.5', 'thousands-comma')).toEqual({ ok: true, value: 1234.5 });
    expect(parseNumberCell('1,234,567', 'thousands-comma')).toEqual({ ok: true, value: 1234567 });
    expect(parseNumberCell('12,34', 'thousands-comma').ok).toBe(false);
  });

  test('decimal-comma format reads 12,5 and 1.234,5, and a dot is a thousands separator', () => {
    expect(parseNumberCell('12,5', 'decimal-comma')).toEqual({ ok: true, value: 12.5 });
    expect(parseNumberCell('1.234,5', 'decimal-comma')).toEqual({ ok: true, value: 1234.5 });
    expect(parseNumberCell('1.234', 'decimal-comma')).toEqual({ ok: true, value: 1234 });
  });

  test('text is not a number', () => {
    expect(parseNumberCell('seventy', 'plain')).toEqual({ ok: false, reason: 'is not a number' });
    expect(parseNumberCell('NaN', 'plain').ok).toBe(false);
    expect(parseNumberCell('Infinity', 'plain').ok).toBe(false);
  });
});

describe('cells and the missing-value policy', () => {
  test('only empty or blank cells are missing; "NA" is a value', () => {
    expect(isMissing('')).toBe(true);
    expect(isMissing('  ')).toBe(true);
    expect(isMissing('NA')).toBe(false);
  });

  test('an empty cell fails the row by default', () => {
    expect(readCell('', numeric, { mode: 'fail' }, 'plain')).toEqual({
      ok: false,
      reason: 'is empty',
      missing: true,
    });
  });

  test('a fill value is read like a cell of that input', () => {
    expect(readCell('', text, { mode: 'fill', value: 'NA' }, 'plain')).toEqual({ ok: true, value: 'NA' });
    expect(readCell('', numeric, { mode: 'fill', value: '0' }, 'plain')).toEqual({ ok: true, value: 0 });
    const bad = readCell('', numeric, { mode: 'fill', value: 'zero' }, 'plain');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.reason).toContain('fill value "zero"');
  });

  test('string cells pass as they are, like a JSON payload', () => {
    expect(readCell(' paid_ads ', text, { mode: 'fail' }, 'plain')).toEqual({
      ok: true,
      value: ' paid_ads ',
    });
  });

  test('integer inputs refuse fractions with the same rule as single predictions', () => {
    expect(readCell('5', integer, { mode: 'fail' }, 'plain')).toEqual({ ok: true, value: 5 });
    const fraction = readCell('5.5', integer, { mode: 'fail' }, 'plain');
    expect(fraction.ok).toBe(false);
    if (!fraction.ok) expect(fraction.reason).toContain('whole number');
  });
});
