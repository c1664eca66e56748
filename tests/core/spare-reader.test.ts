// The app keeps one model reader started ahead of its job (keepReaderWarm): opening a model then skips the
// worker's start (~0.1 s). Each reader still reads one file only, and a hostile file read by the spare is
// refused as by any reader.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';

/** What each started reader was given: a job in workerData, or null for a spare that waits for one. */
const started: unknown[] = [];
vi.mock('../../main/workers/start-worker.ts', async (original) => {
  const actual = await original<typeof import('../../main/workers/start-worker.ts')>();
  return {
    ...actual,
    startWorker: (...args: Parameters<typeof actual.startWorker>) => {
      if (args[0] === 'model-reader') started.push(args[1]?.workerData);
      return actual.startWorker(...args);
    },
  };
});

const { modelRow, payloadReferenceOf } = await import('../helpers/models-table.ts');
const { keepReaderWarm } = await import('../../main/models/model-reader.ts');
const { ModelService } = await import('../../main/models/model-service.ts');

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-spare-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

it('opens through the spare reader, starts the next one, and still refuses a hostile file', async () => {
  const models = new ModelService({ dataDir });
  keepReaderWarm();
  expect(started).toEqual([null]);

  // A model with numpy's answers in the one model-file table.
  const file = 'tests/fixtures/onnx/zipmap_multiclass_str.onnx';
  const row = modelRow(file);
  const reference = payloadReferenceOf(row);
  const info = await models.open(path.join(root, file));
  const answer = await models.predict(info.modelId, reference.rows[1] as Record<string, number>);
  if (!('probabilities' in answer)) throw new Error('one payload gets one prediction');
  row.classLabels!.forEach((label, c) => {
    const probability = answer.probabilities[String(label)]!;
    expect(Math.abs(probability - reference.probabilities![1]![c]!)).toBeLessThan(1e-6);
  });
  // The job went to the spare as a message: no reader was started with a job, and a new spare is waiting.
  expect(started).toEqual([null, null]);

  await expect(
    models.open(path.join(root, 'tests/fixtures/pickle/limits/stacked_posix_system.pkl')),
  ).rejects.toThrow('refused: the file calls posix.system, which is not model data');
  expect(started).toEqual([null, null, null]);
  await models.closeAll();
});
