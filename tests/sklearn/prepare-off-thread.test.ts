// Opening a scikit-learn file decodes and inspects its converted ONNX in the reader worker, under the
// worker's budget (issue 18): for a 300-tree forest that decode is about a second and several hundred
// MB, which must not land on the thread that answers the UI. Here the calling thread's prepareOnnx
// refuses to run, so a regression that moves the decode back fails the open, whatever the machine's speed.
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

const fixture = path.join(import.meta.dirname, '..', 'fixtures', 'pickle', 'valid', 'pipeline_p4.pkl');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-prepare-off-thread-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('opening a scikit-learn file', () => {
  it('decodes and inspects the converted ONNX in the reader worker', async () => {
    const service = new ModelService({ dataDir });
    const info = await service.open(fixture);
    expect(info.conversion?.from).toBe('scikit-learn');
    const written = readFileSync(info.conversion!.convertedPath);
    expect(info.conversion?.convertedSha256).toBe(createHash('sha256').update(written).digest('hex'));
    expect(info.inputs.length).toBeGreaterThan(0);
    await service.closeAll();
  });
});
