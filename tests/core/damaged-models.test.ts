// Damaged ONNX bytes must end in a typed error for a person, never a crash in ModelDock's code.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { expect, test } from 'vitest';
import { isAppError } from '../../main/errors.ts';
import { prepareOnnx } from '../../main/models/prepare-onnx.ts';
import { sniffModelFormat } from '../../main/models/sniff.ts';
import { readFields } from '../../main/onnx/wire.ts';

const sample = new Uint8Array(
  readFileSync(path.resolve(import.meta.dirname, '../../assets/models/lead_scoring.onnx')),
);

function outcome(bytes: Uint8Array): 'ok' | 'refused' {
  try {
    prepareOnnx(bytes, 'damaged.onnx');
    return 'ok';
  } catch (error) {
    if (isAppError(error)) return 'refused';
    throw error;
  }
}

test('random byte changes give a model or a typed refusal', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat(sample.length - 1), fc.integer({ min: 0, max: 255 })), {
        minLength: 1,
        maxLength: 8,
      }),
      (changes) => {
        const bytes = sample.slice();
        for (const [at, value] of changes) bytes[at] = value;
        expect(['ok', 'refused']).toContain(outcome(bytes));
      },
    ),
    { numRuns: 500 },
  );
});

test('every prefix of the model that cuts a field is refused as corrupt', () => {
  // A cut exactly between two top-level fields leaves a shorter, valid model (e.g. without metadata_props).
  const boundaries = new Set(readFields(sample).map((field) => field.end));
  for (let length = 1; length < sample.length; length++) {
    const bytes = sample.subarray(0, length);
    if (sniffModelFormat(bytes) !== 'onnx' || boundaries.has(length)) continue;
    expect(() => prepareOnnx(bytes, 'cut.onnx'), `prefix of ${length} bytes`).toThrow(
      expect.objectContaining({ code: 'corrupt-model' }),
    );
  }
});

test('random bytes never crash the format sniffer', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
      expect([null, 'onnx', 'sklearn-pickle', 'sklearn-joblib']).toContain(sniffModelFormat(bytes));
    }),
  );
});
