import { copyFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { checksumFile } from '../../main/models/checksums.ts';
import { conversionMetadataKeys, convertSklearnFile } from '../../main/sklearn/index.ts';
import { fixtureDir } from './parity-helpers.ts';

const { onnx } = onnxProto;

function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'modeldock-convert-'));
}

async function convert(file: string, dataDir = tempDir(), signal?: AbortSignal) {
  const { sha256 } = await checksumFile(file);
  return { sha256, dataDir, result: await convertSklearnFile(file, { dataDir, sha256, signal }) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(
    Buffer.from(b.buffer, b.byteOffset, b.byteLength),
  );
}

function metadataOf(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries((model.metadataProps ?? []).map((entry) => [entry.key, entry.value]));
}

describe('convertSklearnFile', () => {
  test('writes <dataDir>/converted/<sha256>.onnx and records the source in metadata_props', async () => {
    const file = path.join(fixtureDir, 'ct_onehot_logreg.pickle4.pkl');
    const { sha256, dataDir, result } = await convert(file);
    expect(result.convertedPath).toBe(path.join(dataDir, 'converted', `${sha256}.onnx`));
    expect(sameBytes(readFileSync(result.convertedPath), result.onnxBytes)).toBe(true);
    expect(readdirSync(path.join(dataDir, 'converted'))).toEqual([`${sha256}.onnx`]); // no temp files left
    expect(result.sklearnVersion).toMatch(/^\d+\.\d+/);
    expect(result.steps).toEqual(['ColumnTransformer', 'LogisticRegression']);
    const props = metadataOf(result.onnxBytes);
    expect(props[conversionMetadataKeys.sourceSha256]).toBe(sha256);
    expect(props[conversionMetadataKeys.sklearnVersion]).toBe(result.sklearnVersion);
    expect(JSON.parse(props[conversionMetadataKeys.steps]!)).toEqual(result.steps);
    expect(JSON.parse(props[conversionMetadataKeys.featureNames]!)).toEqual([
      'lead_source',
      'industry',
      'employment_status',
      'location',
      'number_of_courses_viewed',
      'annual_income',
      'interaction_count',
    ]);
    const categories = JSON.parse(props[conversionMetadataKeys.categories]!) as Record<string, string[]>;
    expect(categories.lead_source).toEqual(expect.arrayContaining(['paid_ads', 'referral', 'events']));
    expect(Object.keys(categories).sort()).toEqual([
      'employment_status',
      'industry',
      'lead_source',
      'location',
    ]);
  });

  test('graph inputs are [N,1]: text for categorical features, double for numbers; no ZipMap', async () => {
    const { result } = await convert(path.join(fixtureDir, 'pipeline_v1.bin'));
    const graph = onnx.ModelProto.decode(result.onnxBytes).graph!;
    const types = Object.fromEntries(
      graph.input!.map((input) => [
        input.name,
        {
          type: input.type!.tensorType!.elemType,
          dims: input.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)),
        },
      ]),
    );
    const { STRING, DOUBLE } = onnx.TensorProto.DataType;
    expect(types).toEqual({
      lead_source: { type: STRING, dims: ['N', 1] },
      number_of_courses_viewed: { type: DOUBLE, dims: ['N', 1] },
      annual_income: { type: DOUBLE, dims: ['N', 1] },
    });
    expect(graph.output!.map((output) => output.name)).toEqual(['label', 'probabilities']);
    expect(graph.node!.some((node) => node.opType === 'ZipMap')).toBe(false);
    const encoder = graph.node!.find((node) => node.opType === 'OneHotEncoder')!;
    const cats = encoder
      .attribute!.find((a) => a.name === 'cats_strings')!
      .strings!.map((s) => Buffer.from(s).toString());
    expect(cats.sort()).toEqual(['NA', 'events', 'organic_search', 'paid_ads', 'referral', 'social_media']);
  });

  test('reuses a converted model already in the data directory, and never touches the source', async () => {
    const source = path.join(tempDir(), 'model.joblib');
    copyFileSync(path.join(fixtureDir, 'dv_random_forest.joblib-lzma.joblib'), source);
    const before = readFileSync(source);
    const sourceTime = statSync(source).mtimeMs;
    const first = await convert(source);
    const writtenAt = statSync(first.result.convertedPath).mtimeMs;
    const second = await convert(source, first.dataDir);
    expect(sameBytes(second.result.onnxBytes, first.result.onnxBytes)).toBe(true);
    expect(second.result.steps).toEqual(first.result.steps);
    expect(statSync(first.result.convertedPath).mtimeMs).toBe(writtenAt);
    expect(sameBytes(readFileSync(source), before)).toBe(true);
    expect(statSync(source).mtimeMs).toBe(sourceTime);
  });

  test('a damaged cached file is converted again', async () => {
    const file = path.join(fixtureDir, 'guide_pipeline.pickle5.pkl');
    const first = await convert(file);
    writeFileSync(first.result.convertedPath, 'not onnx');
    const again = await convert(file, first.dataDir);
    expect(sameBytes(again.result.onnxBytes, first.result.onnxBytes)).toBe(true);
    expect(sameBytes(readFileSync(first.result.convertedPath), first.result.onnxBytes)).toBe(true);
  });

  test('refuses an unsupported estimator, naming it and listing what converts', async () => {
    await expect(convert(path.join(fixtureDir, 'unsupported_svc.pkl'))).rejects.toMatchObject({
      code: 'unsupported-model',
      message: expect.stringMatching(
        /^ModelDock can't convert sklearn\.svm\._classes\.SVC yet \(supported: .*DictVectorizer.*LogisticRegression/,
      ),
    });
  });

  test('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(
      convert(path.join(fixtureDir, 'pipeline_v1.bin'), tempDir(), controller.signal),
    ).rejects.toMatchObject({
      code: 'cancelled',
    });
  });
});
