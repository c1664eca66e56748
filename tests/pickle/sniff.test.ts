import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeXz, xzDeclaredSize } from '../../main/codecs/lzma/index.ts';
import { sniffPickle } from '../../main/sklearn/pickle/index.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'pickle', 'valid');
const head = (file: string) => new Uint8Array(readFileSync(join(dir, file))).subarray(0, 64);
const text = (s: string) => new TextEncoder().encode(s);

describe('sniffPickle', () => {
  it.each(readdirSync(dir).filter((f) => f.endsWith('.pkl')))('recognises %s as a pickle', (file) => {
    expect(sniffPickle(head(file))).toBe('pickle');
  });

  it.each(['zlib', 'gzip', 'bz2', 'lzma', 'xz'])('recognises a %s-compressed joblib file', (kind) => {
    expect(sniffPickle(head(`pipeline_joblib_${kind}.joblib`))).toBe('joblib-compressed');
  });

  it('recognises an uncompressed joblib file as a pickle', () => {
    expect(sniffPickle(head('pipeline_joblib_raw.joblib'))).toBe('pickle');
  });

  it.each([
    ['a CSV file', text('lead_source,number_of_courses_viewed\npaid_ads,2\n')],
    ['a JSON payload', text('{"lead_source": "paid_ads"}')],
    ['an ONNX model', Uint8Array.from([0x08, 0x07, 0x12, 0x07, 0x73, 0x6b, 0x6c])],
    ['a PNG image', Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])],
    ['an empty file', new Uint8Array(0)],
    ['a future pickle protocol', Uint8Array.from([0x80, 0x09, 0x4e, 0x2e])],
  ])('rejects %s', (_name, bytes) => {
    expect(sniffPickle(bytes)).toBeNull();
  });
});

describe('xz size check', () => {
  it('reads the uncompressed size an xz index declares', () => {
    const file = new Uint8Array(readFileSync(join(dir, 'pipeline_joblib_xz.joblib')));
    expect(xzDeclaredSize(file)).toBe(decodeXz(file, 1 << 30).length);
  });

  it('is not fooled into a size by a zlib stream', () => {
    const file = new Uint8Array(readFileSync(join(dir, 'pipeline_joblib_zlib.joblib')));
    expect(inflateSync(file).length).toBeGreaterThan(0);
    expect(xzDeclaredSize(file)).toBeUndefined();
  });
});
