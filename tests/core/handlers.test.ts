// model.* calls through the one entrance, dispatch(): the contract validates requests before a handler runs.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { type CallContext, createHandlerTable, dispatch } from '../../main/handlers.ts';
import { createAppServices } from '../../main/services.ts';
import { modelInfoSchema, type ProgressEvent } from '../../shared/contract/index.ts';

const sample = path.resolve(import.meta.dirname, '../../assets/models/lead_scoring.onnx');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-handlers-'));
const services = createAppServices({ mode: 'cli', dataDir });
const table = createHandlerTable(services);
const events: ProgressEvent[] = [];
const context: CallContext = { emit: (event) => events.push(event), signal: new AbortController().signal };
afterAll(async () => {
  await services.dispose();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('model.open through dispatch', () => {
  test.each([
    ['no path', {}, 'path'],
    ['an empty path', { path: '' }, 'path'],
    ['a number for a path', { path: 42 }, 'path'],
    ['a malformed checksum', { path: sample, expectedChecksum: 'abc123' }, 'expectedChecksum'],
  ])('%s is a bad-request naming the field', async (_name, request, field) => {
    const result = await dispatch(table, 'model.open', request, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('bad-request');
    expect(result.error.message).toMatch(new RegExp(`^The request for model.open is not valid: ${field}: `));
  });

  test('a valid request opens the model, reports checksum progress, and returns ModelInfo', async () => {
    const result = await dispatch(table, 'model.open', { path: sample, operationId: 'open-1' }, context);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(modelInfoSchema.parse(result.value).task).toBe('binary-classification');
    expect(events.at(-1)).toMatchObject({
      operationId: 'open-1',
      stage: 'Computing checksums',
      unit: 'bytes',
    });
    expect(events.at(-1)?.done).toBe(result.value.file.sizeBytes);

    const predicted = await dispatch(
      table,
      'model.predict',
      { modelId: result.value.modelId, payload: 'x' },
      context,
    );
    expect(predicted.ok === false && predicted.error.code).toBe('invalid-payload');
  });

  test('a file problem comes back as a typed error, not a stack trace', async () => {
    const result = await dispatch(table, 'model.open', { path: path.join(dataDir, 'missing.onnx') }, context);
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'file-not-found',
        message: `There is no file at ${path.join(dataDir, 'missing.onnx')}.`,
        details: expect.anything(),
      },
    });
  });
});
