// Inspection of several model shapes: fixture files, and small graphs built here for the general cases.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { inspectModel } from '../../main/models/inspect.ts';
import { onnx } from '../../main/models/onnx-model.ts';
import { prepareOnnx } from '../../main/models/prepare-onnx.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/onnx');
const prepare = (name: string) => prepareOnnx(readFileSync(path.join(fixtures, name)), name).inspection;
const { DataType } = onnx.TensorProto;

type Dim = number | string | null;
function valueInfo(name: string, elemType: number, dims: Dim[] | null) {
  const shape = dims
    ? {
        dim: dims.map((dim) =>
          typeof dim === 'string' ? { dimParam: dim } : dim === null ? {} : { dimValue: dim },
        ),
      }
    : null;
  return { name, type: { tensorType: { elemType, shape } } };
}
function node(
  opType: string,
  input: string[],
  output: string[],
  attrs: Record<string, string[] | number[] | string> = {},
  domain = '',
) {
  const attribute = Object.entries(attrs).map(([name, value]) => {
    if (typeof value === 'string')
      return { name, type: onnx.AttributeProto.AttributeType.STRING, s: Buffer.from(value) };
    if (typeof value[0] === 'string') {
      return {
        name,
        type: onnx.AttributeProto.AttributeType.STRINGS,
        strings: (value as string[]).map((v) => Buffer.from(v)),
      };
    }
    return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: value as number[] };
  });
  return { opType, input, output, attribute, domain };
}
function model(graph: object, props: Record<string, string> = {}) {
  return onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [
      { domain: '', version: 13 },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    graph: onnx.GraphProto.create(graph),
    metadataProps: Object.entries(props).map(([key, value]) => ({ key, value })),
  });
}

describe('fixture models', () => {
  test('sample model: metadata, symbolic dimensions, categories and roles', () => {
    const inspection = prepareOnnx(
      readFileSync(path.resolve(import.meta.dirname, '../../assets/models/lead_scoring.onnx')),
      'lead_scoring.onnx',
    ).inspection;
    expect(inspection.metadata).toMatchObject({
      irVersion: 8,
      opsetImports: [
        { domain: '', version: 13 },
        { domain: 'ai.onnx.ml', version: 1 },
      ],
      producerName: 'modeldock-sample-model',
      producerVersion: '1.0',
      domain: 'dev.modeldock.sample',
      modelVersion: 1,
    });
    expect(inspection.metadata.docString).toContain('Lead scoring');
    expect(inspection.metadata.metadataProps.sklearn_version).toBe('1.2.1');
    expect(
      inspection.inputs.map(({ name, type, shape, kind, width }) => ({ name, type, shape, kind, width })),
    ).toEqual([
      { name: 'lead_source', type: 'string', shape: ['N', 1], kind: 'string', width: 1 },
      { name: 'number_of_courses_viewed', type: 'int64', shape: ['N', 1], kind: 'numeric', width: 1 },
      { name: 'annual_income', type: 'float', shape: ['N', 1], kind: 'numeric', width: 1 },
    ]);
    expect(inspection.inputs[0]!.categories).toEqual([
      'NA',
      'events',
      'organic_search',
      'paid_ads',
      'referral',
      'social_media',
    ]);
    expect(inspection.outputs).toEqual([
      { name: 'output_label', type: 'int64', shape: ['N'], role: 'label' },
      { name: 'output_probability', type: 'float', shape: ['N', 2], role: 'probabilities' },
    ]);
    expect(inspection).toMatchObject({
      task: 'binary-classification',
      classLabels: [0, 1],
      positiveClass: 1,
    });
  });

  test('[N,F] input with feature names from metadata (JSON array)', () => {
    const inspection = prepare('zipmap_multiclass_str.onnx');
    expect(inspection.inputs).toEqual([
      {
        name: 'measurements',
        type: 'float',
        shape: ['N', 4],
        kind: 'numeric',
        width: 4,
        featureNames: ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'],
      },
    ]);
    expect(inspection.task).toBe('multiclass-classification');
    expect(inspection.positiveClass).toBeUndefined();
  });

  test('regressor: one float output is the value; feature names from a comma list', () => {
    const inspection = prepare('regressor.onnx');
    expect(inspection.task).toBe('regression');
    expect(inspection.outputs).toEqual([{ name: 'variable', type: 'float', shape: ['N', 1], role: 'value' }]);
    expect(inspection.inputs[0]!.featureNames).toEqual(['rooms', 'age']);
    expect(inspection.classLabels).toBeUndefined();
  });

  test('general model: Softmax output is probabilities, ArgMax int64 [N] is the label, classes are indices', () => {
    const inspection = prepare('general_softmax.onnx');
    expect(inspection.outputs.map((output) => [output.name, output.role])).toEqual([
      ['probs', 'probabilities'],
      ['class_index', 'label'],
    ]);
    expect(inspection.classLabels).toEqual([0, 1, 2]);
  });

  test('a map input (DictVectorizer) is refused with a message saying so', () => {
    expect(() => prepare('map_input.onnx')).toThrow(
      /cannot feed the input "features": it is a map\(string → float\), not a tensor/,
    );
  });
});

describe('graphs built here', () => {
  test('categories traced through Cast/Identity to the input, from LabelEncoder and CategoryMapper too', () => {
    const inspection = inspectModel(
      model({
        input: [valueInfo('city', DataType.STRING, ['N', 1]), valueInfo('plan', DataType.STRING, [null])],
        output: [valueInfo('y', DataType.FLOAT, ['N', 1])],
        node: [
          node('Identity', ['city'], ['city_id']),
          node(
            'LabelEncoder',
            ['city_id'],
            ['city_code'],
            { keys_strings: ['paris', 'oslo'], values_int64s: [0, 1] },
            'ai.onnx.ml',
          ),
          node(
            'CategoryMapper',
            ['plan'],
            ['plan_code'],
            { cats_strings: ['free', 'pro'], cats_int64s: [0, 1] },
            'ai.onnx.ml',
          ),
          node('Cast', ['plan'], ['plan_again'], { to: [8] }),
          node(
            'OneHotEncoder',
            ['plan_again'],
            ['plan_onehot'],
            { cats_strings: ['pro', 'team'] },
            'ai.onnx.ml',
          ),
        ],
      }),
    );
    expect(inspection.inputs.map((input) => [input.name, input.categories])).toEqual([
      ['city', ['paris', 'oslo']],
      ['plan', ['free', 'pro', 'team']],
    ]);
    expect(inspection.inputs[1]).toMatchObject({ shape: [null], width: 1 });
  });

  test('feature_names.<input> wins; a list of the wrong length is ignored', () => {
    const graph = {
      input: [valueInfo('a', DataType.FLOAT, ['N', 2]), valueInfo('b', DataType.DOUBLE, ['N', 3])],
      output: [valueInfo('y', DataType.FLOAT, ['N', 1])],
      node: [],
    };
    const inspection = inspectModel(
      model(graph, { 'feature_names.a': '["x1", "x2"]', 'feature_names.b': 'p,q' }),
    );
    expect(inspection.inputs.map((input) => input.featureNames)).toEqual([['x1', 'x2'], undefined]);
    // With two multi-column inputs a bare feature_names is ambiguous and ignored.
    expect(inspectModel(model(graph, { feature_names: 'x1,x2' })).inputs[0]!.featureNames).toBeUndefined();
  });

  test('[N, F] with a symbolic F takes its width from the feature names; without them, one value', () => {
    const graph = {
      input: [valueInfo('x', DataType.FLOAT, ['N', 'F'])],
      output: [valueInfo('y', DataType.FLOAT, ['N', 1])],
      node: [],
    };
    expect(inspectModel(model(graph, { feature_names: 'rooms, age, area' })).inputs[0]).toMatchObject({
      shape: ['N', 'F'],
      width: 3,
      featureNames: ['rooms', 'age', 'area'],
    });
    expect(inspectModel(model(graph)).inputs[0]).toMatchObject({ width: 1 });
  });

  test('initializers listed as inputs (older exporters) are not inputs', () => {
    const inspection = inspectModel(
      model({
        input: [valueInfo('x', DataType.FLOAT, ['N', 1]), valueInfo('w', DataType.FLOAT, [1])],
        initializer: [{ name: 'w', dataType: DataType.FLOAT, dims: [1], floatData: [2] }],
        output: [valueInfo('y', DataType.FLOAT, ['N', 1])],
        node: [node('Mul', ['x', 'w'], ['y'])],
      }),
    );
    expect(inspection.inputs.map((input) => input.name)).toEqual(['x']);
    expect(inspection.task).toBe('regression');
  });

  test('a one-column Sigmoid output is a binary classifier', () => {
    const inspection = inspectModel(
      model({
        input: [valueInfo('x', DataType.FLOAT, ['batch', 3])],
        output: [valueInfo('p', DataType.FLOAT, ['batch', 1])],
        node: [node('Sigmoid', ['x'], ['p'])],
      }),
    );
    expect(inspection).toMatchObject({
      task: 'binary-classification',
      classLabels: [0, 1],
      positiveClass: 1,
    });
    expect(inspection.outputs[0]!.role).toBe('probabilities');
  });

  test('a one-column Softmax is a classifier of one class, not a binary one', () => {
    // Softmax over one column is identically 1: a model fit on one class (scikit-learn's predict_proba is [N,1]).
    const inspection = inspectModel(
      model({
        input: [valueInfo('x', DataType.FLOAT, ['batch', 3])],
        output: [valueInfo('p', DataType.FLOAT, ['batch', 1])],
        node: [node('Softmax', ['x'], ['p'])],
      }),
    );
    expect(inspection.classLabels).toEqual([0]);
    expect(inspection.task).toBe('unknown');
    expect(inspection.positiveClass).toBeUndefined();
    expect(inspection.outputs[0]!.role).toBe('probabilities');
  });

  test('LinearClassifier without a post-transform gives scores, not probabilities', () => {
    const inspection = inspectModel(
      model({
        input: [valueInfo('x', DataType.FLOAT, ['N', 2])],
        output: [valueInfo('label', DataType.STRING, ['N']), valueInfo('scores', DataType.FLOAT, ['N', 3])],
        node: [
          node(
            'LinearClassifier',
            ['x'],
            ['label', 'scores'],
            { classlabels_strings: ['a', 'b', 'c'] },
            'ai.onnx.ml',
          ),
        ],
      }),
    );
    expect(inspection.outputs.map((output) => output.role)).toEqual(['label', 'scores']);
    expect(inspection).toMatchObject({ task: 'multiclass-classification', classLabels: ['a', 'b', 'c'] });
  });

  test('float16 and sequence inputs are refused by name', () => {
    const float16 = model({ input: [valueInfo('half', DataType.FLOAT16, ['N', 1])], output: [], node: [] });
    expect(() => inspectModel(float16)).toThrow(
      'ModelDock cannot feed the input "half": its element type float16 is not supported.',
    );
    const sequence = model({
      input: [
        { name: 'seq', type: { sequenceType: { elemType: { tensorType: { elemType: DataType.FLOAT } } } } },
      ],
      output: [],
      node: [],
    });
    expect(() => inspectModel(sequence)).toThrow(/"seq": it is a sequence\(tensor\(float\)\), not a tensor/);
  });
});
