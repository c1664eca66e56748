// Runs tests/fixtures/models.json: every model file with the outcome ModelDock must give for it — opened as a
// user opens it (the model service), or, for the hostile and malformed pickles, the scikit-learn fixtures and the
// compressed streams, through the pickle reader, the converter or the xz / lzma decoder alone (hundreds of files;
// a worker per open would take minutes). See tests/helpers/models-table.ts for the schema.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { decodeLzmaAlone, decodeXz, LzmaError } from '../../main/codecs/lzma/index.ts';
import { isAppError } from '../../main/errors.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadPickleFile } from '../../main/sklearn/pickle/index.ts';
import {
  modelInfoSchema,
  type PredictManyResult,
  predictManyResultSchema,
  predictResultSchema,
} from '../../shared/contract/index.ts';
import { type ModelRow, modelRows, repoRoot, sklearnReferenceOf } from '../helpers/models-table.ts';
import { feedsFor, labelsOf, maxDifference } from '../sklearn/parity-helpers.ts';

const MiB = 1024 * 1024;
const service = new ModelService({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'modeldock-models-')) });
afterAll(() => service.closeAll());

/** What a call threw (a test failure when it returned). */
async function thrownBy(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal, but the file was read');
}

function expectRefusal(error: unknown, expected: NonNullable<ModelRow['error']>): void {
  expect(isAppError(error), `expected ${expected.code}, got ${String(error)}`).toBe(true);
  const appError = error as Error & { code: string; details?: unknown };
  expect({ code: appError.code, message: appError.message }).toEqual({
    code: expected.code,
    message: expected.message,
  });
  if (expected.details) expect(appError.details).toMatchObject(expected.details);
}

async function checkModelService(row: ModelRow): Promise<void> {
  const opening = service.open(path.join(repoRoot, row.file));
  if (row.error) {
    expectRefusal(await thrownBy(() => opening), row.error);
    return;
  }
  const info = modelInfoSchema.parse(await opening);
  expect(info.format).toBe(row.format);
  if (row.task) expect(info.task).toBe(row.task);
  if (row.classLabels) expect(info.classLabels).toEqual(row.classLabels);
  if (row.zipMapRemoved !== undefined) expect(info.zipMapRemoved).toBe(row.zipMapRemoved);
  if (row.predict) {
    const result = predictResultSchema.parse(await service.predict(info.modelId, row.predict.payload));
    if (row.predict.label !== undefined) expect(result.label).toEqual(row.predict.label);
    if (row.predict.probabilities) {
      expect(Object.keys(result.probabilities).sort()).toEqual(Object.keys(row.predict.probabilities).sort());
      for (const [label, p] of Object.entries(row.predict.probabilities)) {
        expect(Math.abs(result.probabilities[label]! - p), `class ${label}`).toBeLessThan(1e-6);
      }
    }
    if (row.predict.value !== undefined) expect(result.value).toBeCloseTo(row.predict.value, 4);
    expect(result.warnings.map((warning) => warning.code)).toEqual(row.predict.warnings);
  }
  if (row.reference && 'rows' in row.reference) {
    const { rows, probabilities, labels, values } = row.reference;
    const result: PredictManyResult = predictManyResultSchema.parse(
      await service.predict(info.modelId, { instances: rows }),
    );
    expect(result.predictions).toHaveLength(rows.length);
    result.predictions.forEach((prediction, i) => {
      if (probabilities) {
        row.classLabels!.forEach((label, c) => {
          const difference = Math.abs(prediction.probabilities[String(label)]! - probabilities[i]![c]!);
          expect(difference, `row ${i}, class ${label}`).toBeLessThan(1e-6);
        });
      }
      if (labels) expect(prediction.label, `row ${i}`).toEqual(labels[i]);
      if (values) expect(prediction.value, `row ${i}`).toBeCloseTo(values[i]!, 4);
    });
  }
}

/** The file converted in-process and run on its input columns: scikit-learn's answers to 1e-6. */
async function checkSklearnParity(row: ModelRow): Promise<void> {
  const reference = sklearnReferenceOf(row)!;
  const converted = convertSklearnValue(await loadPickleFile(path.join(repoRoot, row.file)));
  // One graph input per original feature, named as the analyst knows it.
  expect(converted.inputs.map((input) => input.name).sort()).toEqual(Object.keys(reference.inputs).sort());
  const session = await ort.InferenceSession.create(converted.onnxBytes);
  try {
    const outputs = await session.run(feedsFor(session, { name: reference.model, files: [], ...reference }));
    if (reference.probabilities) {
      expect(outputs.probabilities!.dims).toEqual([
        reference.probabilities.length,
        reference.probabilities[0]!.length,
      ]);
      expect(
        maxDifference(reference.probabilities, outputs.probabilities!.data as Float64Array),
      ).toBeLessThanOrEqual(1e-6);
      expect(labelsOf(outputs.label!)).toEqual(reference.labels);
    } else {
      expect(maxDifference(reference.values!, outputs.variable!.data as Float64Array)).toBeLessThanOrEqual(
        1e-6,
      );
    }
  } finally {
    await session.release();
  }
}

async function checkPickleReader(row: ModelRow): Promise<void> {
  if (row.canary) rmSync(row.canary, { force: true });
  expectRefusal(await thrownBy(() => loadPickleFile(path.join(repoRoot, row.file))), row.error!);
  if (row.canary) {
    // Give a spawned process (had anything been spawned) time to create the file.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(row.canary)).toBe(false);
  }
}

function checkDecoder(row: ModelRow): void {
  const decode = row.reader === 'xz' ? decodeXz : decodeLzmaAlone;
  const bytes = new Uint8Array(readFileSync(path.join(repoRoot, row.file)));
  const limit = row.limitBytes ?? 1024 * MiB;
  if (row.decoded) {
    const out = decode(bytes, limit);
    expect(out.length).toBe(row.decoded.size);
    expect(createHash('sha256').update(out).digest('hex')).toBe(row.decoded.sha256);
    return;
  }
  const before = process.memoryUsage().arrayBuffers;
  let error: unknown;
  try {
    decode(bytes, limit);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(LzmaError);
  expect({ code: (error as LzmaError).reason, message: (error as LzmaError).message }).toEqual(row.error);
  if (row.error!.code === 'too-large') {
    // A bomb is small and stops at the limit, holding no more than the limit meanwhile (a buffer that grew by
    // copying held 1.5× it). arrayBuffers counts fixed-size buffers, such as what an xz index declares, but
    // not the resizable one an unknown size grows in: hostile-limits.test.ts measures peak RSS for those.
    expect(bytes.length).toBeLessThan(16 * 1024);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(limit + MiB);
  }
}

describe('tests/fixtures/models.json', () => {
  test('has one row per file, each either an outcome or an exact refusal, and every file exists', () => {
    const files = modelRows.map((row) => row.file);
    expect(new Set(files).size).toBe(files.length);
    for (const row of modelRows) {
      expect(existsSync(path.join(repoRoot, row.file)), row.file).toBe(true);
      expect(row.source.length, row.file).toBeGreaterThan(0);
      const outcomes = [
        row.format !== undefined,
        row.decoded !== undefined,
        row.error !== undefined,
        row.reader === 'sklearn' && sklearnReferenceOf(row) !== undefined,
      ];
      expect(outcomes.filter(Boolean), row.file).toHaveLength(1);
    }
  });

  test('covers every hostile payload alone and hidden in a pipeline, through each way of calling', () => {
    const files = modelRows.map((row) => path.basename(row.file));
    for (const payload of ['os_system', 'subprocess_popen', 'builtins_eval', 'builtins_exec']) {
      for (const variant of ['alone_p0', 'alone_p2', 'alone_p4', 'pipeline_p2', 'pipeline_p4']) {
        expect(files).toContain(`${payload}_${variant}.pkl`);
      }
    }
    for (const payload of [
      'posix_system',
      'os_system',
      'subprocess_popen',
      'builtins_eval',
      'builtins_exec',
    ]) {
      for (const way of ['global', 'stack_global', 'inst', 'obj'])
        expect(files).toContain(`hand_${payload}_${way}.pkl`);
    }
    expect(files).toContain('persistent_id_p0.pkl');
    expect(files).toContain('persistent_id_p2.pkl');
  });

  for (const row of modelRows) {
    test(row.file, async () => {
      if (row.reader === 'pickle') await checkPickleReader(row);
      else if (row.reader === 'xz' || row.reader === 'lzma') checkDecoder(row);
      else if (row.reader !== 'sklearn') await checkModelService(row);
      if (sklearnReferenceOf(row)) await checkSklearnParity(row);
    });
  }
});
