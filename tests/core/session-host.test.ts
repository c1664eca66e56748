// A large model's onnxruntime session is created in a worker of its own (main/models/session-host.ts),
// with the open's time budget and Cancel, and its failures are the same sentences as in-process ones.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { interactiveSessionOptions, ModelService } from '../../main/models/model-service.ts';
import { createSessionOffThread } from '../../main/models/session-host.ts';
import { rowsToFeeds } from '../../main/models/tensors.ts';

const samplePath = path.join(import.meta.dirname, '../../assets/models/lead_scoring.onnx');
const sample = new Uint8Array(readFileSync(samplePath));

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('no error');
}

const start = (bytes: Uint8Array, extra: { seconds?: number; signal?: AbortSignal } = {}) =>
  createSessionOffThread(bytes, 'model.onnx', {
    sessionOptions: interactiveSessionOptions,
    seconds: 15,
    ...extra,
  });

describe('a session in a worker thread', () => {
  it('gives the outputs an in-process session gives, and stops answering once released', async () => {
    const service = new ModelService({
      dataDir: mkdtempSync(path.join(os.tmpdir(), 'modeldock-session-host-')),
    });
    const info = await service.open(samplePath);
    const row = { lead_source: ['organic'], number_of_courses_viewed: [5], annual_income: [75000] };
    const inProcess = await service.get(info.modelId).session.run(rowsToFeeds(info.inputs, [row]));
    // The served bytes: the sample's ZipMap bypassed, as ModelService would run it.
    const session = await start(service.get(info.modelId).servedModelBytes);
    const remote = await session.run(rowsToFeeds(info.inputs, [row]));
    expect(Object.keys(remote).sort()).toEqual(Object.keys(inProcess).sort());
    for (const [name, tensor] of Object.entries(inProcess)) {
      expect(remote[name]!.type).toBe(tensor.type);
      expect(remote[name]!.dims).toEqual(tensor.dims);
      expect(Array.from(remote[name]!.data as ArrayLike<unknown>)).toEqual(
        Array.from(tensor.data as ArrayLike<unknown>),
      );
    }
    await session.release();
    await expect(session.run({})).rejects.toMatchObject({ code: 'model-not-open' });
    await service.closeAll();
  });

  it('says when onnxruntime cannot load the bytes', async () => {
    const error = await errorOf(start(new Uint8Array([8, 1, 18, 0])));
    expect(error.code).toBe('unsupported-model');
    expect(error.message).toMatch(/^onnxruntime cannot load model\.onnx: /);
  });

  it('refuses past its time budget, naming it, and stops on Cancel', async () => {
    const late = await errorOf(start(sample, { seconds: 0.001 }));
    expect(late.message).toBe(
      'refused: loading this model took longer than 0.001 s, the limit for opening one model',
    );
    const controller = new AbortController();
    const opening = start(sample, { signal: controller.signal });
    controller.abort();
    expect((await errorOf(opening)).code).toBe('cancelled');
  });
});
