import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';
import type { PredictResult } from '../../shared/contract/index.ts';
import { fixtureDir, readManifest } from './parity-helpers.ts';

// Converted graphs end in plain operators, so the class names must come from the converter's metadata.
const fixture = readManifest().models.find((model) => model.name === 'synthetic_tree_text_labels')!;
const service = new ModelService({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'modeldock-class-labels-')) });
afterAll(() => service.closeAll());

test('a converted classifier with text classes reports them by name, in sklearn order', async () => {
  const info = await service.open(path.join(fixtureDir, fixture.files[1]!));
  expect(info.task).toBe('multiclass-classification');
  const expectedClasses = [...new Set(fixture.labels!.map(String))].sort();
  expect(info.classLabels).toEqual(expectedClasses);

  const row = Object.fromEntries(Object.entries(fixture.inputs).map(([name, values]) => [name, values[0]]));
  const result = (await service.predict(info.modelId, row)) as PredictResult;
  expect(result.label).toBe(fixture.labels![0]);
  const expected = fixture.probabilities![0] as number[];
  expectedClasses.forEach((label, column) => {
    expect(Math.abs(result.probabilities[label]! - expected[column]!)).toBeLessThanOrEqual(1e-6);
  });
});
