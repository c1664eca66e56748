import onnxProto from 'onnx-proto';
import { encodeModelProto } from '../onnx/wire.ts';

const { onnx } = onnxProto;

/** Element types the converter emits. */
export type TensorType = 'float' | 'double' | 'int64' | 'string' | 'bool';

const dataTypes: Record<TensorType, number> = {
  float: onnx.TensorProto.DataType.FLOAT,
  double: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  string: onnx.TensorProto.DataType.STRING,
  bool: onnx.TensorProto.DataType.BOOL,
};

/** A constant tensor: values in row-major order and its dimensions ([] for a scalar). */
export type ConstantValues =
  | { type: 'double'; values: ArrayLike<number> }
  | { type: 'float'; values: ArrayLike<number> }
  | { type: 'int64'; values: ArrayLike<number | bigint> }
  | { type: 'bool'; values: ArrayLike<boolean> }
  | { type: 'uint8'; values: ArrayLike<number> }
  | { type: 'string'; values: readonly string[] };

/** A node attribute, typed the way ONNX stores it. */
export type Attribute =
  | { kind: 'int'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'string'; value: string }
  | { kind: 'ints'; value: readonly number[] }
  | { kind: 'floats'; value: readonly number[] }
  | { kind: 'strings'; value: readonly string[] }
  | { kind: 'tensor'; value: ConstantValues; dims: readonly number[] };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  strings: (value: readonly string[]): Attribute => ({ kind: 'strings', value }),
  tensor: (value: ConstantValues, dims: readonly number[]): Attribute => ({ kind: 'tensor', value, dims }),
};

const utf8 = new TextEncoder();

function tensorProto(
  name: string,
  constant: ConstantValues,
  dims: readonly number[],
): onnxProto.onnx.ITensorProto {
  const base = { name, dims: [...dims], dataType: constant.type === 'uint8' ? 0 : dataTypes[constant.type] };
  switch (constant.type) {
    case 'double':
      return { ...base, rawData: new Uint8Array(Float64Array.from(constant.values).buffer) };
    case 'float':
      return { ...base, rawData: new Uint8Array(Float32Array.from(constant.values).buffer) };
    case 'int64':
      return {
        ...base,
        rawData: new Uint8Array(BigInt64Array.from(Array.from(constant.values, (v) => BigInt(v))).buffer),
      };
    case 'bool':
      return { ...base, rawData: Uint8Array.from(Array.from(constant.values, (v) => (v ? 1 : 0))) };
    case 'uint8':
      return {
        ...base,
        dataType: onnx.TensorProto.DataType.UINT8,
        rawData: Uint8Array.from(constant.values),
      };
    case 'string':
      return { ...base, stringData: constant.values.map((v) => utf8.encode(v)) };
  }
}

function attributeProto(name: string, attribute: Attribute): onnxProto.onnx.IAttributeProto {
  const types = onnx.AttributeProto.AttributeType;
  switch (attribute.kind) {
    case 'int':
      return { name, type: types.INT, i: attribute.value };
    case 'float':
      return { name, type: types.FLOAT, f: attribute.value };
    case 'string':
      return { name, type: types.STRING, s: utf8.encode(attribute.value) };
    case 'ints':
      return { name, type: types.INTS, ints: [...attribute.value] };
    case 'floats':
      return { name, type: types.FLOATS, floats: [...attribute.value] };
    case 'strings':
      return { name, type: types.STRINGS, strings: attribute.value.map((v) => utf8.encode(v)) };
    case 'tensor':
      return { name, type: types.TENSOR, t: tensorProto('', attribute.value, attribute.dims) };
  }
}

function valueInfo(name: string, type: TensorType, shape: readonly (number | string)[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: dataTypes[type],
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface NodeOptions {
  domain?: string;
  /** How many outputs the node has (default 1). */
  outputs?: number;
  /** Readable prefix for the generated tensor names. */
  hint?: string;
}

/**
 * A small typed builder for one ONNX graph. Tensor names are generated (hint + counter) so
 * converters never collide; graph inputs and outputs keep the exact names given.
 */
export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  /** Graph input and output names: fixed. */
  private readonly reservedNames = new Set<string>();
  private readonly generated: string[] = [];
  private counter = 0;

  constructor(private readonly graphName: string) {}

  /**
   * A fresh tensor (or node) name. It is a placeholder token until encode() gives it a readable
   * name that no graph input or output uses: features are seen while the graph is being built,
   * and one may well be called like a generated tensor ("const_0").
   */
  freshName(hint: string): string {
    const token = `\u0000${this.counter++}\u0000${hint}`;
    this.generated.push(token);
    return token;
  }

  /** Marks a graph input or output name as taken. */
  reserveName(name: string): void {
    this.reservedNames.add(name);
  }

  /** Readable names for the placeholder tokens, avoiding every reserved name. */
  private finalNames(): Map<string, string> {
    const taken = new Set(this.reservedNames);
    const names = new Map<string, string>();
    for (const token of this.generated) {
      const [, counter, hint] = token.split('\u0000');
      let name = `${hint}_${counter}`;
      while (taken.has(name)) name = `${name}_`;
      taken.add(name);
      names.set(token, name);
    }
    return names;
  }

  addInput(name: string, type: TensorType, shape: readonly (number | string)[]): string {
    this.reserveName(name);
    this.inputs.push(valueInfo(name, type, shape));
    return name;
  }

  /** Declares a graph output; `source` is renamed to `name` through an Identity node. */
  addOutput(name: string, source: string, type: TensorType, shape: readonly (number | string)[]): void {
    this.reserveName(name);
    this.nodes.push({
      opType: 'Identity',
      input: [source],
      output: [name],
      name: this.freshName(`output_${name}`),
    });
    this.outputs.push(valueInfo(name, type, shape));
  }

  constant(value: ConstantValues, dims: readonly number[], hint = 'const'): string {
    const name = this.freshName(hint);
    this.initializers.push(tensorProto(name, value, dims));
    return name;
  }

  doubles(values: ArrayLike<number>, dims: readonly number[] = [values.length], hint = 'const'): string {
    return this.constant({ type: 'double', values }, dims, hint);
  }

  int64s(
    values: ArrayLike<number | bigint>,
    dims: readonly number[] = [values.length],
    hint = 'const',
  ): string {
    return this.constant({ type: 'int64', values }, dims, hint);
  }

  /** Adds a node and returns the names of its outputs. */
  nodeMulti(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attribute> = {},
    options: NodeOptions = {},
  ): string[] {
    const count = options.outputs ?? 1;
    const outputs = Array.from({ length: count }, () => this.freshName(options.hint ?? opType.toLowerCase()));
    this.nodes.push({
      opType,
      domain: options.domain ?? '',
      input: [...inputs],
      output: outputs,
      name: this.freshName(`node_${opType}`),
      attribute: Object.entries(attributes).map(([key, value]) => attributeProto(key, value)),
    });
    return outputs;
  }

  /** Adds a single-output node and returns its output name. */
  node(
    opType: string,
    inputs: readonly string[],
    attributes: Record<string, Attribute> = {},
    options: Omit<NodeOptions, 'outputs'> = {},
  ): string {
    return this.nodeMulti(opType, inputs, attributes, options)[0]!;
  }

  /** Serializes the model. */
  encode(options: {
    opsets: Record<string, number>;
    metadata: Record<string, string>;
    producerVersion: string;
    docString?: string;
  }): Uint8Array {
    const names = this.finalNames();
    const resolve = (name: string) => names.get(name) ?? name;
    const nodes = this.nodes.map((node) => ({
      ...node,
      name: resolve(node.name ?? ''),
      input: (node.input ?? []).map(resolve),
      output: (node.output ?? []).map(resolve),
    }));
    const initializers = this.initializers.map((tensor) => ({ ...tensor, name: resolve(tensor.name ?? '') }));
    return encodeModelProto({
      irVersion: 8,
      producerName: 'ModelDock',
      producerVersion: options.producerVersion,
      docString: options.docString ?? '',
      opsetImport: Object.entries(options.opsets).map(([domain, version]) => ({ domain, version })),
      metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name: this.graphName,
        node: nodes,
        initializer: initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
  }
}
