import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { attr, OnnxGraphBuilder } from '../../main/sklearn/onnx-builder.ts';

const { onnx } = onnxProto;

describe('OnnxGraphBuilder output decodes with onnx-proto', () => {
  test('attributes, initializers, inputs, outputs and metadata survive a round trip', () => {
    const b = new OnnxGraphBuilder('g');
    b.addInput('x', 'double', ['N', 3]);
    const weights = b.doubles([1.5, -2, 1e300], [3, 1], 'w');
    const y = b.node(
      'Custom',
      ['x', weights],
      {
        axis: attr.int(-1),
        big: attr.int(2 ** 40),
        alpha: attr.float(0.5),
        ids: attr.ints([0, 1, -3, 300]),
        scales: attr.floats([0.25, -1]),
        names: attr.strings(['a', 'é', '']),
        label: attr.string('text'),
        modes: attr.tensor({ type: 'uint8', values: [0, 4] }, [2]),
      },
      { domain: 'example.domain' },
    );
    b.addOutput('y', y, 'double', ['N', 1]);
    const bytes = b.encode({
      opsets: { '': 21, 'ai.onnx.ml': 5 },
      metadata: { k: 'v' },
      producerVersion: '1',
    });
    const model = onnx.ModelProto.decode(bytes);
    expect(Number(model.irVersion)).toBe(8);
    expect(model.opsetImport!.map((o) => [o.domain, Number(o.version)])).toEqual([
      ['', 21],
      ['ai.onnx.ml', 5],
    ]);
    expect(model.metadataProps!.map((p) => [p.key, p.value])).toEqual([['k', 'v']]);
    const graph = model.graph!;
    expect(
      graph.input!.map((i) => [
        i.name,
        i.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)),
      ]),
    ).toEqual([['x', ['N', 3]]]);
    const init = graph.initializer![0]!;
    expect(init.dims!.map(Number)).toEqual([3, 1]);
    const raw = init.rawData!;
    expect(
      Array.from(new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength))),
    ).toEqual([1.5, -2, 1e300]);
    const node = graph.node!.find((n) => n.opType === 'Custom')!;
    expect(node.domain).toBe('example.domain');
    const byName = Object.fromEntries(node.attribute!.map((a) => [a.name, a]));
    expect(Number(byName.axis!.i)).toBe(-1);
    expect(Number(byName.big!.i)).toBe(2 ** 40);
    expect(byName.alpha!.f).toBe(0.5);
    expect(byName.ids!.ints!.map(Number)).toEqual([0, 1, -3, 300]);
    expect(byName.scales!.floats).toEqual([0.25, -1]);
    expect(byName.names!.strings!.map((s: Uint8Array) => Buffer.from(s).toString())).toEqual(['a', 'é', '']);
    expect(Buffer.from(byName.label!.s!).toString()).toBe('text');
    expect(Array.from(byName.modes!.t!.rawData!)).toEqual([0, 4]);
    expect(graph.output!.map((o) => o.name)).toEqual(['y']);
  });
});
