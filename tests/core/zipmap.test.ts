// The ZipMap bypass: ModelDock's probabilities must equal onnxruntime's own output for the tensor
// feeding ZipMap, and the numpy probabilities the fixtures script computed from the same coefficients.
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import { afterAll, describe, expect, test } from 'vitest';
import { checksumBytes } from '../../main/models/checksums.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { onnx } from '../../main/models/onnx-model.ts';
import { checkPayload } from '../../main/models/payload.ts';
import { prepareOnnx } from '../../main/models/prepare-onnx.ts';
import { rowsToFeeds } from '../../main/models/tensors.ts';
import { bypassZipMaps, findZipMaps } from '../../main/models/zipmap.ts';
import type { PredictManyResult } from '../../shared/contract/index.ts';
import { modelRows, payloadReferenceOf } from '../helpers/models-table.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/onnx');
// The reference answers are the ZipMap rows of tests/fixtures/models.json (written by make_onnx_fixtures.py).
const zipMapRows = modelRows.filter((row) => row.file.startsWith('tests/fixtures/onnx/zipmap_'));
const zipMapModels = zipMapRows.map((row) => path.basename(row.file));
const expected = Object.fromEntries(
  zipMapRows.map((row) => [
    path.basename(row.file),
    {
      rows: payloadReferenceOf(row).rows,
      classLabels: row.classLabels!,
      probabilities: payloadReferenceOf(row).probabilities!,
      labels: payloadReferenceOf(row).labels!,
    },
  ]),
);
const service = new ModelService({ dataDir: mkdtempSync(path.join(os.tmpdir(), 'modeldock-zipmap-')) });
afterAll(() => service.closeAll());

/** The original model with the tensor feeding ZipMap declared as an extra output (ZipMap kept). */
function withPreZipMapOutput(bytes: Uint8Array, tensorName: string): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  model.graph!.output!.push(onnx.ValueInfoProto.create({ name: tensorName }));
  return onnx.ModelProto.encode(model).finish();
}

describe.each(zipMapModels)('%s', (name) => {
  const file = path.join(fixtures, name);
  const fixture = expected[name]!;

  test('matches onnxruntime on the tensor before ZipMap, and numpy, and leaves the file alone', async () => {
    const before = checksumBytes(readFileSync(file)).sha256;
    const info = await service.open(file);
    expect(info.zipMapRemoved).toBe(true);
    expect(info.classLabels).toEqual(fixture.classLabels);
    const result = (await service.predict(info.modelId, { instances: fixture.rows })) as PredictManyResult;

    const original = readFileSync(file);
    const [zipMap] = findZipMaps(onnx.ModelProto.decode(original));
    const reference = await InferenceSession.create(withPreZipMapOutput(original, zipMap!.probabilities));
    const check = checkPayload(info.inputs, { instances: fixture.rows });
    if (!check.ok) throw new Error(check.message);
    const ort = await reference.run(rowsToFeeds(info.inputs, check.rows), [zipMap!.probabilities]);
    const ortProbabilities = Array.from(ort[zipMap!.probabilities]!.data as Float32Array);
    await reference.release();

    const classCount = fixture.classLabels.length;
    result.predictions.forEach((prediction, row) => {
      const ours = fixture.classLabels.map((label) => prediction.probabilities[String(label)]!);
      // Same graph, same runtime: identical floats.
      expect(ours).toEqual(ortProbabilities.slice(row * classCount, (row + 1) * classCount));
      ours.forEach((p, c) => {
        expect(Math.abs(p - fixture.probabilities[row]![c]!)).toBeLessThan(1e-6);
      });
      expect(prediction.label).toEqual(fixture.labels[row]);
    });
    expect(checksumBytes(readFileSync(file)).sha256).toBe(before);
  });

  test('serves ZipMap’s output name as a float tensor [N, C] and keeps the class labels', () => {
    const bytes = readFileSync(file);
    const prepared = prepareOnnx(bytes, name);
    const served = onnx.ModelProto.decode(prepared.servedBytes);
    expect(served.graph!.node!.some((node) => node.opType === 'ZipMap')).toBe(false);
    const output = served.graph!.output!.find((candidate) => candidate.name === 'output_probability')!;
    expect(output.type?.tensorType?.elemType).toBe(onnx.TensorProto.DataType.FLOAT);
    expect(output.type?.tensorType?.shape?.dim?.map((dim) => dim.dimParam || Number(dim.dimValue))).toEqual([
      'N',
      fixture.classLabels.length,
    ]);
    expect(
      prepared.inspection.outputs.find((candidate) => candidate.name === 'output_probability')?.role,
    ).toBe('probabilities');
  });
});

describe('bypassZipMaps', () => {
  const bytes = readFileSync(path.join(fixtures, 'zipmap_binary_str.onnx'));

  test('copies fields it does not know byte for byte (newer IR versions survive the rewrite)', () => {
    // Field 99 of ModelProto and field 99 of GraphProto do not exist in onnx-proto's ONNX 1.10 schema:
    // a decode + re-encode would drop them. Append one to each and check both survive.
    const unknownModelField = Uint8Array.from([0x9a, 0x06, 3, 0x61, 0x62, 0x63]); // field 99, "abc"
    const model = onnx.ModelProto.decode(bytes);
    const graphBytes = onnx.GraphProto.encode(model.graph!).finish();
    const unknownGraphField = Uint8Array.from([0x9a, 0x06, 3, 0x78, 0x79, 0x7a]); // field 99, "xyz"
    const graphWithExtra = new Uint8Array([...graphBytes, ...unknownGraphField]);
    model.graph = null;
    const withoutGraph = onnx.ModelProto.encode(model).finish();
    const graphField = [0x3a, ...varint(graphWithExtra.length)];
    const patched = new Uint8Array([...withoutGraph, ...graphField, ...graphWithExtra, ...unknownModelField]);

    const rewritten = bypassZipMaps(
      patched,
      findZipMaps(onnx.ModelProto.decode(patched)),
      onnx.ModelProto.decode(patched),
    );
    const text = Buffer.from(rewritten).toString('latin1');
    expect(text).toContain('\x9a\x06\x03abc');
    expect(text).toContain('\x9a\x06\x03xyz');
    expect(onnx.ModelProto.decode(rewritten).graph!.node!.map((node) => node.opType)).not.toContain('ZipMap');
  });

  test('adds a default-domain opset when the model imports only ai.onnx.ml (Identity needs it)', () => {
    const model = onnx.ModelProto.decode(bytes);
    model.opsetImport = model.opsetImport.filter((opset) => opset.domain === 'ai.onnx.ml');
    const mlOnly = onnx.ModelProto.encode(model).finish();
    const rewritten = onnx.ModelProto.decode(bypassZipMaps(mlOnly, findZipMaps(model), model));
    expect(rewritten.opsetImport.map((opset) => opset.domain ?? '')).toContain('');
  });
});

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}
