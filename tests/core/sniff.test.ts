import { readFileSync } from 'node:fs';
import path from 'node:path';
import { deflateSync, gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { describeHead, sniffModelFormat } from '../../main/models/sniff.ts';

const bytes = (...values: number[]) => Uint8Array.from(values);
const text = (value: string) => Buffer.from(value, 'latin1');
const sample = readFileSync(path.resolve(import.meta.dirname, '../../assets/models/lead_scoring.onnx'));

describe('sniffModelFormat decides by content', () => {
  test.each([
    ['an ONNX model', sample.subarray(0, 4096), 'onnx'],
    ['the first 3 bytes of an ONNX model', sample.subarray(0, 3), 'onnx'],
    ['pickle protocol 2', bytes(0x80, 0x02, 0x63), 'sklearn-pickle'],
    ['pickle protocol 5', bytes(0x80, 0x05, 0x95, 0x10), 'sklearn-pickle'],
    [
      'pickle protocol 0 (GLOBAL)',
      text('csklearn.linear_model._logistic\nLogisticRegression\n'),
      'sklearn-pickle',
    ],
    ['pickle protocol 1 (EMPTY_DICT, BINPUT)', bytes(0x7d, 0x71, 0x00, 0x28), 'sklearn-pickle'],
    [
      'uncompressed joblib',
      text('\x80\x04\x95\x00csklearn\nX\njoblib.numpy_pickle\nNumpyArrayWrapper\n'),
      'sklearn-joblib',
    ],
    ['zlib joblib', deflateSync(Buffer.from('x')), 'sklearn-joblib'],
    ['gzip joblib', gzipSync(Buffer.from('x')), 'sklearn-joblib'],
    ['bz2 joblib', text('BZh91AY&SY'), 'sklearn-joblib'],
    ['xz joblib', bytes(0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00), 'sklearn-joblib'],
  ])('%s', (_name, head, format) => {
    expect(sniffModelFormat(head)).toBe(format);
  });

  test.each([
    ['zeros', new Uint8Array(4096)],
    ['a CSV file', text('lead_source,annual_income\norganic,1\n')],
    ['JSON', text('{"model": 1}')],
    ['a PNG', bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)],
    ['nothing', new Uint8Array(0)],
    ['an ir_version of 0', bytes(0x08, 0x00, 0x12, 0x01, 0x61)],
  ])('refuses %s', (_name, head) => {
    expect(sniffModelFormat(head)).toBeNull();
  });

  test('describes what foreign files look like', () => {
    expect(describeHead(new Uint8Array(16))).toBe('it contains only zero bytes');
    expect(describeHead(text('hello\n'))).toBe('it looks like a text file');
    expect(describeHead(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0))).toBe(
      'it starts with the bytes 89 50 4e 47 0d 0a 1a 0a',
    );
  });
});
