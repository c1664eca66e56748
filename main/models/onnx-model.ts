import onnxProto from 'onnx-proto';
import type { ElementType } from '../../shared/contract/index.ts';

/** The generated ONNX 1.10 protobuf classes (onnx-proto, protobufjs static code). */
export const { onnx } = onnxProto;
export type OnnxModel = onnxProto.onnx.ModelProto;
export type OnnxGraph = onnxProto.onnx.IGraphProto;
export type OnnxNode = onnxProto.onnx.INodeProto;
export type OnnxValueInfo = onnxProto.onnx.IValueInfoProto;
export type OnnxType = onnxProto.onnx.ITypeProto;

/** The ONNX domain of scikit-learn style operators (ZipMap, LinearClassifier, OneHotEncoder, …). */
export const mlDomain = 'ai.onnx.ml';

type LongLike = number | { toNumber(): number } | null | undefined;

/** int64 protobuf fields arrive as Long objects; everything ModelDock reads from them fits a double. */
export function toNumber(value: LongLike): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

const elementTypes: Record<number, ElementType> = {
  1: 'float',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'double',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
  17: 'float8e4m3fn',
  18: 'float8e4m3fnuz',
  19: 'float8e5m2',
  20: 'float8e5m2fnuz',
  21: 'uint4',
  22: 'int4',
  23: 'float4e2m1',
};

/** ONNX TensorProto.DataType (onnx.proto's numbers) → ModelDock's element type name ('unknown' past these). */
export function elementTypeName(dataType: number | null | undefined): ElementType {
  return elementTypes[dataType ?? 0] ?? 'unknown';
}

export type Dimension = number | string | null;

/** The declared shape of a tensor type: fixed sizes, symbolic names, null for unknown; null if no shape. */
export function tensorShape(type: OnnxType | null | undefined): Dimension[] | null {
  const shape = type?.tensorType?.shape;
  if (!shape) return null;
  return (shape.dim ?? []).map((dim) => {
    if (dim.dimParam) return dim.dimParam;
    if (dim.dimValue !== null && dim.dimValue !== undefined) {
      const value = toNumber(dim.dimValue);
      // proto3 leaves an unset dim_value at 0; a dimension of 0 is never meant.
      return value > 0 ? value : null;
    }
    return null;
  });
}

/** A readable name for a non-tensor ONNX type: "map(string → float)", "sequence(map(int64 → float))". */
export function describeType(type: OnnxType | null | undefined): string {
  if (!type) return 'an undeclared type';
  if (type.tensorType) return `tensor(${elementTypeName(type.tensorType.elemType)})`;
  if (type.mapType) {
    return `map(${elementTypeName(type.mapType.keyType)} → ${describeValueType(type.mapType.valueType)})`;
  }
  if (type.sequenceType) return `sequence(${describeType(type.sequenceType.elemType)})`;
  if (type.sparseTensorType) return `sparse tensor(${elementTypeName(type.sparseTensorType.elemType)})`;
  if (type.optionalType) return `optional(${describeType(type.optionalType.elemType)})`;
  return 'an unknown type';
}

function describeValueType(type: OnnxType | null | undefined): string {
  // map(string → tensor(float)) reads better as map(string → float) for people.
  if (type?.tensorType) return elementTypeName(type.tensorType.elemType);
  return describeType(type);
}

const utf8 = new TextDecoder();

/** Attribute readers: ONNX stores strings as bytes and ints as int64. */
export function findAttribute(node: OnnxNode, name: string) {
  return node.attribute?.find((attribute) => attribute.name === name);
}

export function stringsAttribute(node: OnnxNode, name: string): string[] | undefined {
  const attribute = findAttribute(node, name);
  if (!attribute?.strings?.length) return undefined;
  return attribute.strings.map((bytes) => utf8.decode(bytes));
}

export function intsAttribute(node: OnnxNode, name: string): number[] | undefined {
  const attribute = findAttribute(node, name);
  if (!attribute?.ints?.length) return undefined;
  return attribute.ints.map((value) => toNumber(value));
}

export function stringAttribute(node: OnnxNode, name: string): string | undefined {
  const attribute = findAttribute(node, name);
  return attribute?.s?.length ? utf8.decode(attribute.s) : undefined;
}

/** The graph's real inputs: older exporters also list every initializer as an input. */
export function graphInputs(graph: OnnxGraph): OnnxValueInfo[] {
  const initializers = new Set((graph.initializer ?? []).map((tensor) => tensor.name));
  return (graph.input ?? []).filter((input) => !initializers.has(input.name ?? ''));
}
