import onnxProto from 'onnx-proto';
import { expect, test } from 'vitest';
import { elementTypeName } from '../../main/models/onnx-model.ts';

test("element types are named as onnx.proto names them (onnx-proto's enum, ONNX 1.10), bfloat16 included", () => {
  for (const [name, value] of Object.entries(onnxProto.onnx.TensorProto.DataType)) {
    if (value === 0) continue; // UNDEFINED
    expect(elementTypeName(Number(value)), name).toBe(name.toLowerCase());
  }
});

test('the float8, int4 and float4 types added after ONNX 1.10 are named too, not "unknown"', () => {
  // onnx.proto (ONNX 1.14–1.18) TensorProto.DataType numbers.
  expect([17, 18, 19, 20, 21, 22, 23].map(elementTypeName)).toEqual([
    'float8e4m3fn',
    'float8e4m3fnuz',
    'float8e5m2',
    'float8e5m2fnuz',
    'uint4',
    'int4',
    'float4e2m1',
  ]);
  expect(elementTypeName(99)).toBe('unknown');
});
