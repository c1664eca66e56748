import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { checksumBytes } from '../../main/models/checksums.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { onnx, toNumber } from '../../main/models/onnx-model.ts';
import { modelInfoSchema, predictResultSchema } from '../../shared/contract/index.ts';

const sample = path.resolve(import.meta.dirname, '../../assets/models/lead_scoring.onnx');
const sampleBytes = readFileSync(sample);
const sums = checksumBytes(sampleBytes);
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-service-'));
const service = new ModelService({ dataDir: path.join(dir, 'data') });
afterAll(async () => {
  await service.closeAll();
  rmSync(dir, { recursive: true, force: true });
});
const guide = { lead_source: 'organic', number_of_courses_viewed: 5, annual_income: 75000 };

async function refusal(filePath: string) {
  return service.open(filePath).then(
    () => {
      throw new Error('expected the file to be refused');
    },
    (error: { code: string; message: string }) => ({ code: error.code, message: error.message }),
  );
}

describe('open', () => {
  test('reports the file, its checksums and size, and a load time', async () => {
    const progress: number[] = [];
    const info = modelInfoSchema.parse(
      await service.open(sample, { onProgress: (done) => progress.push(done) }),
    );
    expect(info.file).toEqual({ path: sample, fileName: 'lead_scoring.onnx', ...sums });
    expect(info.file.sizeBytes).toBe(sampleBytes.length);
    expect(info.format).toBe('onnx');
    expect(info.loadMs).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(sampleBytes.length);
    expect(service.list().map((model) => model.modelId)).toContain(info.modelId);
  });

  test('decides the format by content, not by the extension', async () => {
    const renamed = path.join(dir, 'model.pkl');
    copyFileSync(sample, renamed);
    expect((await service.open(renamed)).format).toBe('onnx');
  });

  test('an expected checksum that matches (MD5 or SHA-256) or not is recorded on the model', async () => {
    expect((await service.open(sample, { expectedChecksum: sums.md5.toUpperCase() })).checksumCheck).toEqual({
      expected: sums.md5,
      algorithm: 'md5',
      matches: true,
    });
    const wrong = await service.open(sample, { expectedChecksum: 'f'.repeat(64) });
    expect(wrong.checksumCheck).toEqual({ expected: 'f'.repeat(64), algorithm: 'sha256', matches: false });
    expect(service.verifyChecksum(wrong.modelId, sums.sha256)).toMatchObject({ matches: true });
    expect(service.get(wrong.modelId).info.checksumCheck?.matches).toBe(true);
  });

  test('a cancelled open stops with "cancelled"', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(service.open(sample, { signal: controller.signal })).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});

describe('bad files get a clear message', () => {
  test('a missing path', async () => {
    const missing = path.join(dir, 'nope.onnx');
    expect(await refusal(missing)).toEqual({
      code: 'file-not-found',
      message: `There is no file at ${missing}.`,
    });
  });

  test('a directory', async () => {
    const folder = path.join(dir, 'models.onnx');
    mkdirSync(folder);
    expect(await refusal(folder)).toEqual({
      code: 'not-a-file',
      message: 'models.onnx is a folder, not a model file.',
    });
  });

  test('an empty file', async () => {
    const empty = path.join(dir, 'empty.onnx');
    writeFileSync(empty, '');
    expect(await refusal(empty)).toEqual({ code: 'empty-file', message: 'empty.onnx is empty (0 bytes).' });
  });

  test('a text file renamed .onnx', async () => {
    const text = path.join(dir, 'notes.onnx');
    writeFileSync(text, 'These are my notes, not a model.\n');
    expect(await refusal(text)).toEqual({
      code: 'unsupported-format',
      message:
        'notes.onnx is not a model file ModelDock can read (ONNX, a scikit-learn pickle or joblib file, or an XGBoost model file): it looks like a text file.',
    });
  });

  test('a truncated ONNX file, cut at several points', async () => {
    for (const fraction of [0.1, 0.5, 0.9, 0.999]) {
      const truncated = path.join(dir, `cut-${fraction}.onnx`);
      writeFileSync(truncated, sampleBytes.subarray(0, Math.floor(sampleBytes.length * fraction)));
      const { code, message } = await refusal(truncated);
      expect(code).toBe('corrupt-model');
      expect(message).toMatch(
        new RegExp(
          `^cut-${fraction}\\.onnx (ends early: .* needs \\d+ more bytes; the file is truncated|is not a complete ONNX model)`,
        ),
      );
    }
  });

  test('a 1 GB file of zeros is refused from its first bytes, without reading it into memory', async () => {
    const zeros = path.join(dir, 'zeros.onnx');
    const handle = await open(zeros, 'w');
    await handle.truncate(1024 ** 3); // sparse: takes no disk space
    await handle.close();
    const before = process.memoryUsage();
    expect(await refusal(zeros)).toEqual({
      code: 'unsupported-format',
      message:
        'zeros.onnx is not a model file ModelDock can read (ONNX, a scikit-learn pickle or joblib file, or an XGBoost model file): it contains only zero bytes.',
    });
    const after = process.memoryUsage();
    expect(after.arrayBuffers - before.arrayBuffers).toBeLessThan(64 * 1024 * 1024);
    expect(after.rss - before.rss).toBeLessThan(256 * 1024 * 1024);
    rmSync(zeros);
  });

  test('a pickle goes to the scikit-learn converter and a broken one is refused with a typed error', async () => {
    const pickle = path.join(dir, 'broken.pkl');
    writeFileSync(pickle, Uint8Array.from([0x80, 0x04, 0x95, 0xff, 0xff]));
    const { code } = await refusal(pickle);
    expect(['unsupported-format', 'corrupt-model', 'refused-pickle', 'unsupported-model']).toContain(code);
  });
});

describe('predict', () => {
  test('reuses the model’s one session for every prediction', async () => {
    const info = await service.open(sample);
    const { session } = service.get(info.modelId);
    const first = predictResultSchema.parse(await service.predict(info.modelId, guide));
    const second = predictResultSchema.parse(
      await service.predict(info.modelId, { ...guide, lead_source: 'events' }),
    );
    expect(service.get(info.modelId).session).toBe(session);
    expect(first.probability).not.toBe(second.probability);
    expect(second.warnings).toEqual([]);
    expect(first.outputs.output_probability).toMatchObject({ type: 'float', shape: [1, 2] });
    expect(first.latencyMs).toBeGreaterThan(0);
  });

  test('refuses a payload that is not an object, or has extra fields when strict, as invalid-payload', async () => {
    const info = await service.open(sample);
    await expect(service.predict(info.modelId, [guide])).rejects.toMatchObject({
      code: 'invalid-payload',
      message: expect.stringContaining('the payload must be a JSON object keyed by input name'),
    });
    const ignoring = await service.predict(info.modelId, { ...guide, industry: 'retail' });
    const plain = await service.predict(info.modelId, guide);
    expect('probability' in ignoring && ignoring.probability).toBe(
      'probability' in plain && plain.probability,
    );
    expect(ignoring.warnings.at(-1)).toEqual({
      code: 'ignored-field',
      field: 'industry',
      message: 'industry: not an input of this model; ignored.',
    });
    await expect(
      service.predict(info.modelId, { ...guide, industry: 'retail' }, { unknownFields: 'refuse' }),
    ).rejects.toMatchObject({
      code: 'invalid-payload',
      message:
        'The payload is not valid: industry: is not an input of this model (its inputs are lead_source, number_of_courses_viewed, annual_income); fields that are not inputs are refused in strict mode.',
      details: { issues: [expect.objectContaining({ field: 'industry' })] },
    });
  });

  test('close releases the model; later calls say it is not open', async () => {
    const info = await service.open(sample);
    expect(await service.close(info.modelId)).toBe(true);
    expect(await service.close(info.modelId)).toBe(false);
    expect(service.list().map((model) => model.modelId)).not.toContain(info.modelId);
    await expect(service.predict(info.modelId, guide)).rejects.toMatchObject({ code: 'model-not-open' });
    expect(() => service.get(info.modelId)).toThrow('That model is not open');
  });

  test('servedModelBytes is the rewritten model; the file on disk is unchanged', async () => {
    const info = await service.open(sample);
    const served = service.get(info.modelId).servedModelBytes;
    expect(Buffer.compare(Buffer.from(served), sampleBytes)).not.toBe(0);
    expect(checksumBytes(readFileSync(sample))).toEqual(sums);
  });
});

describe('served bytes and sessions', () => {
  const fixtures = path.resolve(import.meta.dirname, '../fixtures/onnx');

  test('a model without ZipMap runs from its original bytes', async () => {
    const file = path.join(fixtures, 'regressor.onnx');
    const info = await service.open(file);
    expect(info.zipMapRemoved).toBe(false);
    expect(Buffer.compare(Buffer.from(service.get(info.modelId).servedModelBytes), readFileSync(file))).toBe(
      0,
    );
  });

  test('a ZipMap model with a newer IR version (9) is rewritten and runs', async () => {
    const model = onnx.ModelProto.decode(readFileSync(path.join(fixtures, 'zipmap_binary_int.onnx')));
    model.irVersion = 9;
    const file = path.join(dir, 'ir9.onnx');
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const info = await service.open(file);
    expect(info.metadata.irVersion).toBe(9);
    expect(toNumber(onnx.ModelProto.decode(service.get(info.modelId).servedModelBytes).irVersion)).toBe(9);
    const result = predictResultSchema.parse(await service.predict(info.modelId, { age: 0.5, score: 0.25 }));
    expect(Object.keys(result.probabilities)).toEqual(['0', '1']);
  });

  test('a model whose batch dimension is fixed to 1 scores several instances one run at a time', async () => {
    const model = onnx.ModelProto.create({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 13 }],
      graph: {
        name: 'double_it',
        input: [
          {
            name: 'x',
            type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 2 }] } } },
          },
        ],
        output: [
          {
            name: 'y',
            type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 1 }, { dimValue: 1 }] } } },
          },
        ],
        initializer: [{ name: 'w', dataType: 1, dims: [2, 1], floatData: [2, 3] }],
        node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['y'] }],
      },
    });
    const file = path.join(dir, 'batch-one.onnx');
    writeFileSync(file, onnx.ModelProto.encode(model).finish());
    const info = await service.open(file);
    expect(info.task).toBe('regression');
    const result = await service.predict(info.modelId, {
      instances: [{ x: [1, 1] }, { x: [2, 0] }, { x: [0, 1] }],
    });
    expect('predictions' in result && result.predictions.map((prediction) => prediction.value)).toEqual([
      5, 4, 3,
    ]);
  });
});
