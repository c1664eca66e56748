import iconv from 'iconv-lite';
import { describe, expect, test } from 'vitest';
import {
  assertLooksLikeText,
  decodeSample,
  detectDelimiter,
  detectEncoding,
  detectHeader,
} from '../../main/scoring/csv-detect.ts';

const csv = 'name,city,income\nJosé,Zürich,1\n';

describe('encoding', () => {
  test('UTF-8 with and without BOM', () => {
    expect(detectEncoding(Buffer.from(csv, 'utf8'), true)).toBe('utf-8');
    expect(detectEncoding(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]), true)).toBe(
      'utf-8-bom',
    );
  });

  test('UTF-16 LE and BE by their BOM, decoded without it', () => {
    const le = iconv.encode(csv, 'utf-16le', { addBOM: true });
    const be = iconv.encode(csv, 'utf-16be', { addBOM: true });
    expect(detectEncoding(le, true)).toBe('utf-16le');
    expect(detectEncoding(be, true)).toBe('utf-16be');
    expect(decodeSample(le, 'utf-16le')).toBe(csv);
    expect(decodeSample(be, 'utf-16be')).toBe(csv);
  });

  test('bytes that are not UTF-8 fall back to Windows-1252', () => {
    const latin = iconv.encode(csv, 'windows-1252');
    expect(detectEncoding(latin, true)).toBe('windows-1252');
    expect(decodeSample(latin, 'windows-1252')).toBe(csv);
  });

  test('a UTF-8 character cut at the end of the sample is still UTF-8', () => {
    const bytes = Buffer.from('a,b\nJosé', 'utf8');
    expect(detectEncoding(bytes.subarray(0, bytes.length - 1), false)).toBe('utf-8');
  });
});

describe('dialect', () => {
  test.each([',', ';', '\t', '|'] as const)('finds the delimiter %j', (delimiter) => {
    const text = `${['a', 'b', 'c'].join(delimiter)}\n${['1', '"x, y; z|w"', '3'].join(delimiter)}\n`;
    expect(detectDelimiter(text, '"')).toBe(delimiter);
  });

  test('a quoted field with newlines does not confuse the delimiter', () => {
    expect(detectDelimiter('a;b\n"line1\nline2, more";2\n3;4\n', '"')).toBe(';');
  });

  test('lines ending in a lone CR or a mix of CR, LF and CRLF are records too', () => {
    expect(detectDelimiter('a;b;c\r1;2,5;3\r4;5;6\r', '"')).toBe(';');
    expect(detectDelimiter('a|b|c\r\n1|2,5|3\n4|5|6\r7|8|9\r\n', '"')).toBe('|');
    expect(() => assertLooksLikeText('a,b\r1,2\r\n3,4\n5,\u00006\r', 'x.csv')).toThrow(
      /NUL bytes \(first on line 4\)/,
    );
  });

  test('a first row of names is a header; a row with numbers is data', () => {
    expect(detectHeader(['lead_source', 'annual_income'])).toBe(true);
    expect(detectHeader(['paid_ads', '75000'])).toBe(false);
    expect(detectHeader(['a', 'a'])).toBe(false);
  });

  test('binary content is refused with a sentence about the file', () => {
    expect(() => assertLooksLikeText('a,b\n1,\u00002\n', 'x.csv')).toThrow(/NUL bytes \(first on line 2\)/);
    const png = String.fromCharCode(...Array.from({ length: 400 }, (_, i) => (i * 7) % 32));
    expect(() => assertLooksLikeText(png, 'image.csv')).toThrow(/binary file/);
    expect(() => assertLooksLikeText('a,b\r\n1,2\r\n', 'ok.csv')).not.toThrow();
  });
});
