import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { createCellReader, isMissing, parseNumberCell, readCell } from '../../main/scoring/cell-values.ts';

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

describe('the specialised cell reader (the batch engine fast path)', () => {
  const inputs = [
    { kind: 'numeric', type: 'float' },
    { kind: 'numeric', type: 'double' },
    { kind: 'numeric', type: 'int64' },
    { kind: 'numeric', type: 'int8' },
    { kind: 'numeric', type: 'uint32' },
    { kind: 'numeric', type: 'float16' },
    { kind: 'string', type: 'string' },
    { kind: 'bool', type: 'bool' },
  ] as const;
  const formats = ['plain', 'thousands-comma', 'decimal-comma'] as const;
  const policies = [{ mode: 'fail' }, { mode: 'fill', value: '0' }, { mode: 'omit' }] as const;
  // Cells made of the characters that matter to numbers, plus edge cases.
  const cell = fc.oneof(
    fc.stringMatching(/^[ \t]?[+-]?[0-9]{0,12}([.,][0-9]{0,4})?([eE][+-]?[0-9]{1,3})?[ ]?$/),
    fc.constantFrom(
      '',
      ' ',
      '1,234.5',
      '1.234',
      '12,5',
      '1e999',
      '-0',
      '0x10',
      'NaN',
      'Infinity',
      '300',
      '-129',
      'true',
      'NA',
      '2147483648',
      '9007199254740993',
    ),
    fc.string({ maxLength: 8 }),
  );

  test('every value it returns is exactly what readCell returns for that cell', () => {
    fc.assert(
      fc.property(
        cell,
        fc.constantFrom(...inputs),
        fc.constantFrom(...formats),
        fc.constantFrom(...policies),
        (text, input, format, policy) => {
          const fast = createCellReader(input, format)(text);
          if (fast === undefined) return;
          const slow = readCell(text, input, policy, format);
          expect(slow.ok).toBe(true);
          if (slow.ok) expect(Object.is(slow.value, fast)).toBe(true);
        },
      ),
      { numRuns: 20_000 },
    );
  });

  test('reads plain numbers and present strings itself, and leaves missing and refused cells to readCell', () => {
    const float = createCellReader({ kind: 'numeric', type: 'float' }, 'plain');
    expect(float('56796')).toBe(56796);
    expect(float('-0.76')).toBe(-0.76);
    expect(float('')).toBeUndefined();
    expect(float('1,234')).toBeUndefined();
    expect(float('4e38')).toBeUndefined(); // beyond float32: readCell says why
    const int8 = createCellReader({ kind: 'numeric', type: 'int8' }, 'plain');
    expect(int8('127')).toBe(127);
    expect(int8('128')).toBeUndefined();
    expect(int8('1.5')).toBeUndefined();
    const european = createCellReader({ kind: 'numeric', type: 'double' }, 'decimal-comma');
    expect(european('0,76')).toBe(0.76);
    expect(european('-56796')).toBe(-56796);
    expect(european('1.234')).toBeUndefined(); // 1234 in this mode: readCell's rule
    const text = createCellReader({ kind: 'string', type: 'string' }, 'plain');
    expect(text(' paid ads ')).toBe(' paid ads ');
    expect(text('  ')).toBeUndefined();
  });
});
