import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, test } from 'vitest';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadPickleFile } from '../../main/sklearn/pickle/index.ts';
import { feedsFor, fixtureDir, labelsOf, maxDifference, readManifest } from './parity-helpers.ts';

const manifest = readManifest();
const tolerance = 1e-6;

describe('converted models give scikit-learn’s answers on every fixture row', () => {
  for (const model of manifest.models) {
    describe(model.name, () => {
      test.each(model.files)('%s', async (file) => {
        const converted = convertSklearnValue(await loadPickleFile(path.join(fixtureDir, file)));
        // One graph input per original feature, named as the analyst knows it.
        expect(converted.inputs.map((input) => input.name).sort()).toEqual(Object.keys(model.inputs).sort());
        const session = await ort.InferenceSession.create(converted.onnxBytes);
        try {
          const outputs = await session.run(feedsFor(session, model));
          if (model.probabilities) {
            expect(outputs.probabilities!.dims).toEqual([
              model.probabilities.length,
              model.probabilities[0]!.length,
            ]);
            expect(
              maxDifference(model.probabilities, outputs.probabilities!.data as Float64Array),
            ).toBeLessThanOrEqual(tolerance);
            expect(labelsOf(outputs.label!)).toEqual(model.labels);
          } else {
            expect(maxDifference(model.values!, outputs.variable!.data as Float64Array)).toBeLessThanOrEqual(
              tolerance,
            );
          }
        } finally {
          await session.release();
        }
      });
    });
  }
});
