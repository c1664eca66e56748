// Opening a model does its heavy parts off the thread that answers the UI (issue 18): a scikit-learn
// file's converted ONNX is decoded and inspected in the reader worker, under its budget (for a 300-tree
// forest about a second and several hundred MB), and onnxruntime's session, which onnxruntime-node
// creates synchronously (1.5 s for a forest of 2.4 million tree nodes), is created and run in a
// session worker. Here the calling thread's prepareOnnx and InferenceSession.create refuse to run, so a
// regression that moves either back fails the open, whatever the machine's speed.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ModelService } from '../../main/models/model-service.ts';

vi.mock('../../main/models/prepare-onnx.ts', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../main/models/prepare-onnx.ts')>()),
  prepareOnnx: () => {
    throw new Error('prepareOnnx ran on the calling thread, outside the reader worker');
  },
}));

vi.mock('onnxruntime-node', async (importOriginal) => {
  const original = await importOriginal<typeof import('onnxruntime-node')>();
  return {
    ...original,
    InferenceSession: {
      ...original.InferenceSession,
      create: () => {
        throw new Error('InferenceSession.create ran on the calling thread, outside the session worker');
      },
    },
  };
});

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'pickle', 'valid', 'pipeline_p4.pkl');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-prepare-off-thread-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('opening a scikit-learn file', () => {
  it('decodes it, creates its session and predicts off this thread', async () => {
    const service = new ModelService({ dataDir, sessionWorkerFromBytes: 0 });
    const info = await service.open(fixture);
    expect(info.conversion?.from).toBe('scikit-learn');
    const written = readFileSync(info.conversion!.convertedPath);
    expect(info.conversion?.convertedSha256).toBe(createHash('sha256').update(written).digest('hex'));
    expect(info.inputs.length).toBeGreaterThan(0);
    const row = Object.fromEntries(
      info.inputs.map((input) => [input.name, input.kind === 'numeric' ? 1 : (input.categories?.[0] ?? 'a')]),
    );
    const prediction = await service.predict(info.modelId, row);
    expect('label' in prediction ? prediction.label : undefined).toBeDefined();
    await service.closeAll();
  });
});
