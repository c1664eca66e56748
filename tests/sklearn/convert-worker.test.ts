// Model files are read and converted in a worker thread with a memory and time budget (issue 18):
// the thread that answers calls stays responsive, Cancel stops the work, and a worker that hits a
// limit is a refusal naming it, after which the app carries on.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { checksumFile } from '../../main/models/checksums.ts';
import { convertSklearn, readerBudget } from '../../main/models/model-reader.ts';

const fixtures = path.join(import.meta.dirname, '..', 'fixtures');
const valid = path.join(fixtures, 'pickle', 'valid', 'pipeline_p4.pkl');
const heavy = path.join(fixtures, 'pickle', 'limits', 'binstring_600mb.joblib');
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-convert-worker-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function convert(file: string, extra: Partial<Parameters<typeof convertSklearn>[1]> = {}) {
  const { sha256 } = await checksumFile(file);
  return convertSklearn(file, { dataDir: path.join(dataDir, String(Math.random())), sha256, ...extra });
}

async function errorOf(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('converted without an error');
}

describe('conversion in a worker thread', () => {
  it('converts a valid model', async () => {
    const converted = await convert(valid);
    expect(converted.onnxBytes.length).toBeGreaterThan(100);
  });

  it('keeps this thread responsive while a hostile file is read', { timeout: 60_000 }, async () => {
    let last = performance.now();
    let worstLag = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      worstLag = Math.max(worstLag, now - last);
      last = now;
    }, 10);
    const error = await errorOf(convert(heavy));
    clearInterval(ticker);
    expect(error.message).toMatch(/^refused: the file holds a text of 600 MB/);
    expect(worstLag).toBeLessThan(1000);
  });

  it('refuses past the time budget, naming it', async () => {
    const error = await errorOf(convert(heavy, { budget: { ...readerBudget, seconds: 0.2 } }));
    expect(error.code).toBe('refused-pickle');
    expect(error.message).toBe(
      'refused: reading this file took longer than 0.2 s, the limit for opening one model',
    );
    expect(error.details).toMatchObject({ limit: 'time' });
  });

  it('refuses past the memory budget, naming it, and the next file still opens', {
    timeout: 60_000,
  }, async () => {
    const error = await errorOf(
      convert(path.join(fixtures, 'pickle', 'limits', 'additems_500k.joblib'), {
        budget: { seconds: 15, resourceLimits: { maxOldGenerationSizeMb: 8, maxYoungGenerationSizeMb: 1 } },
      }),
    );
    expect(error.code).toBe('refused-pickle');
    expect(error.message).toBe(
      'refused: reading this file needed more than 8 MB of memory, the limit for opening one model',
    );
    expect((await convert(valid)).onnxBytes.length).toBeGreaterThan(100);
  });

  it('stops at once when cancelled', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = errorOf(convert(heavy, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    const error = await pending;
    expect(error.code).toBe('cancelled');
    expect(performance.now() - started).toBeLessThan(2000);
  });
});
