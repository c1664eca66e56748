// The model part of the typed contract: what the UI sends is validated, what main returns conforms.
import { describe, expect, test } from 'vitest';
import {
  calls,
  expectedChecksumSchema,
  modelInfoSchema,
  predictResultSchema,
} from '../../shared/contract/index.ts';

describe('model calls', () => {
  test('every model.* call declares a request and a response schema', () => {
    const names = Object.keys(calls).filter((name) => name.startsWith('model.'));
    expect(names).toEqual(
      expect.arrayContaining([
        'model.open',
        'model.close',
        'model.list',
        'model.verifyChecksum',
        'model.predict',
      ]),
    );
    for (const name of names) {
      const spec = calls[name as keyof typeof calls];
      expect(typeof spec.request.safeParse, name).toBe('function');
      expect(typeof spec.response.safeParse, name).toBe('function');
    }
  });

  test('an expected checksum is 32 (MD5) or 64 (SHA-256) hex digits', () => {
    expect(expectedChecksumSchema.safeParse('d41d8cd98f00b204e9800998ecf8427e').success).toBe(true);
    expect(expectedChecksumSchema.safeParse(` ${'A'.repeat(64)} `).success).toBe(true);
    // A line as sha256sum/md5sum print it reads as its digest.
    expect(expectedChecksumSchema.parse(`${'A'.repeat(64)}  lead.onnx`)).toBe('a'.repeat(64));
    expect(expectedChecksumSchema.parse(`${'b'.repeat(32)} *lead.onnx`)).toBe('b'.repeat(32));
    for (const bad of ['', 'abc', 'g'.repeat(32), 'a'.repeat(40)])
      expect(expectedChecksumSchema.safeParse(bad).success).toBe(false);
  });

  test('model.open refuses requests without a path, before any handler runs', () => {
    expect(calls['model.open'].request.safeParse({}).success).toBe(false);
    expect(calls['model.open'].request.safeParse({ path: 'm.onnx', expectedChecksum: 'xyz' }).success).toBe(
      false,
    );
    expect(calls['model.open'].request.safeParse({ path: 'm.onnx' }).success).toBe(true);
  });

  test('ModelInfo and PredictResult reject values that break their shape', () => {
    expect(modelInfoSchema.safeParse({ modelId: 'm', format: 'keras' }).success).toBe(false);
    expect(
      predictResultSchema.safeParse({
        label: 1,
        probabilities: { '1': 'high' },
        outputs: {},
        warnings: [],
        latencyMs: 1,
      }).success,
    ).toBe(false);
    expect(
      predictResultSchema.safeParse({
        label: 1,
        probabilities: { '1': 0.5 },
        outputs: {},
        warnings: [],
        latencyMs: 1,
      }).success,
    ).toBe(true);
  });
});
