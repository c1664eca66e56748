import { describe, expect, test } from 'vitest';
import { normalizeColumnName, proposeMapping } from '../../main/scoring/column-mapping.ts';
import { createRowFormatter, neutraliseFormula } from '../../main/scoring/csv-writer.ts';
import { avoidCollisions } from '../../main/scoring/output-columns.ts';
import type { ModelInput } from '../../shared/contract/index.ts';

describe('CSV injection', () => {
  test.each(['=1+2', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx', '=HYPERLINK("http://x")'])(
    'prefixes %j with a single quote',
    (cell) => {
      expect(neutraliseFormula(cell)).toBe(`'${cell}`);
    },
  );

  test.each(['-1.5', '+3', '-2e5', 'paid_ads', '', '0.94', "it's"])('leaves %j as it is', (cell) => {
    expect(neutraliseFormula(cell)).toBe(cell);
  });
});

describe('row formatter', () => {
  test('quotes only fields that need it and doubles quotes', () => {
    const format = createRowFormatter(',');
    expect(format(['a', 'b,c', 'say "hi"', 'two\nlines', ''])).toBe('a,"b,c","say ""hi""","two\nlines",');
  });

  test('uses the delimiter of the input file', () => {
    expect(createRowFormatter(';')(['1,5', 'a;b'])).toBe('1,5;"a;b"');
    expect(createRowFormatter('\t')(['a\tb', 'c'])).toBe('"a\tb"\tc');
  });

  test('a formula cell that also needs quoting is neutralised inside the quotes', () => {
    expect(createRowFormatter(',')(['=1,2'])).toBe(`"'=1,2"`);
  });
});

describe('column names', () => {
  test('names match ignoring case, spaces, dashes and underscores', () => {
    expect(normalizeColumnName('Annual Income')).toBe(normalizeColumnName('annual_income'));
    expect(normalizeColumnName('lead-source')).toBe('leadsource');
  });

  const inputs: ModelInput[] = [
    { name: 'lead_source', type: 'string', shape: ['N', 1], kind: 'string', width: 1 },
    {
      name: 'features',
      type: 'float',
      shape: ['N', 2],
      kind: 'numeric',
      width: 2,
      featureNames: ['annual_income', 'number_of_courses_viewed'],
    },
  ];

  test('maps an [N,1] input by name and an [N,F] input by its feature names', () => {
    const mapping = proposeMapping(inputs, ['Lead Source', 'Number-Of-Courses-Viewed', 'ANNUAL_INCOME']);
    expect(mapping.map((entry) => entry.columns)).toEqual([
      ['Lead Source'],
      ['ANNUAL_INCOME', 'Number-Of-Courses-Viewed'],
    ]);
  });

  test('edits win, and a missing column leaves the slot unmapped', () => {
    const mapping = proposeMapping(inputs, ['source', 'annual_income', 'x'], { lead_source: ['source'] });
    expect(mapping.map((entry) => entry.columns)).toEqual([['source'], ['annual_income', null]]);
  });

  test('prediction columns never collide with the input columns', () => {
    expect(avoidCollisions(['predicted_label'], ['a'])).toEqual(['predicted_label']);
    expect(avoidCollisions(['predicted_label', 'predicted_probability'], ['Predicted Label'])).toEqual([
      'modeldock_predicted_label',
      'modeldock_predicted_probability',
    ]);
    expect(avoidCollisions(['p'], ['p', 'modeldock_p'])).toEqual(['modeldock_p_2']);
  });
});
