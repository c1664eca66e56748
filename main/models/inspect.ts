import {
  elementTypeSchema,
  type ModelInput,
  type ModelMetadata,
  type ModelOutput,
  type OutputRole,
  type Task,
} from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import {
  type Dimension,
  describeType,
  elementTypeName,
  graphInputs,
  intsAttribute,
  type OnnxGraph,
  type OnnxModel,
  type OnnxNode,
  stringAttribute,
  stringsAttribute,
  tensorShape,
  toNumber,
} from './onnx-model.ts';
import type { ZipMapNode } from './zipmap.ts';

/** What ModelDock learns from a graph: the parts of ModelInfo that come from the model itself. */
export interface ModelInspection {
  inputs: ModelInput[];
  outputs: ModelOutput[];
  task: Task;
  classLabels?: (string | number)[];
  positiveClass?: string | number;
  metadata: ModelMetadata;
}

/** Operators that pass a tensor through unchanged in meaning; tracing looks through them. */
const passThroughOps = new Set(['Identity', 'Cast', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'ZipMap']);
const classifierOps = new Set(['LinearClassifier', 'SVMClassifier', 'TreeEnsembleClassifier']);
const regressorOps = new Set(['LinearRegressor', 'SVMRegressor', 'TreeEnsembleRegressor']);
/** Element types ModelDock can build tensors of from JSON values. */
const feedableTypes = new Set<string>(
  elementTypeSchema.options.filter(
    (type) =>
      !['float16', 'bfloat16', 'complex64', 'complex128', 'uint4', 'int4', 'unknown'].includes(type) &&
      !type.startsWith('float8') &&
      !type.startsWith('float4'),
  ),
);

/** Who produces each tensor of a graph, for tracing outputs and encoder inputs back to their sources. */
class GraphIndex {
  readonly producers = new Map<string, { node: OnnxNode; index: number }>();

  constructor(readonly graph: OnnxGraph) {
    for (const node of graph.node ?? []) {
      (node.output ?? []).forEach((name, index) => {
        this.producers.set(name, { node, index });
      });
    }
  }

  /** The node (and output index) that computes `name`, looking through pass-through operators. */
  source(name: string): { node: OnnxNode; index: number } | undefined {
    let current = this.producers.get(name);
    for (let hops = 0; current && hops < 50; hops++) {
      if (!passThroughOps.has(current.node.opType ?? '')) return current;
      const upstream = current.node.input?.[0];
      if (!upstream) return current;
      current = this.producers.get(upstream);
    }
    return current;
  }

  /** The graph input `name` comes from, through pass-through operators (and ArrayFeatureExtractor). */
  inputBehind(name: string, inputNames: ReadonlySet<string>): string | undefined {
    let current = name;
    for (let hops = 0; hops < 50; hops++) {
      if (inputNames.has(current)) return current;
      const producer = this.producers.get(current);
      const op = producer?.node.opType ?? '';
      if (!producer || !(passThroughOps.has(op) || op === 'ArrayFeatureExtractor')) return undefined;
      current = producer.node.input?.[0] ?? '';
    }
    return undefined;
  }
}

function parseNameList(value: string): string[] | undefined {
  const trimmed = value.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed;
    } catch {
      return undefined;
    }
    return undefined;
  }
  const names = trimmed.split(',').map((name) => name.trim());
  return names.every((name) => name.length > 0) ? names : undefined;
}

/**
 * Feature names of a multi-column input, from metadata_props. ModelDock reads
 * `feature_names.<input name>` first, then `feature_names` (only when the model has a single
 * multi-column input); each is a JSON array of strings or a comma-separated list, and is used
 * only when it names exactly as many features as the input has columns. For [N, F] with a
 * symbolic F, the list's length is taken as F.
 */
function featureNamesFor(
  inputName: string,
  width: number | undefined,
  props: Record<string, string>,
  multiColumnInputs: number,
) {
  const candidates = [
    props[`feature_names.${inputName}`],
    multiColumnInputs === 1 ? props.feature_names : undefined,
  ];
  for (const candidate of candidates) {
    if (candidate === undefined) continue;
    const names = parseNameList(candidate);
    if (names && (width === undefined || names.length === width)) return names;
  }
  return undefined;
}

/** A rank-2 input whose second dimension is symbolic or unknown: [N, F] with F not fixed. */
function hasOpenWidth(shape: Dimension[] | null): boolean {
  return shape !== null && shape.length === 2 && !(typeof shape[1] === 'number' && shape[1] > 0);
}

/** Columns per row: 1 for [N] and [N,1]; F for [N,F]; the product of the fixed dims after the batch dim. */
function widthOf(shape: Dimension[] | null): number {
  if (!shape || shape.length <= 1) return 1;
  const rest = shape.slice(1);
  if (rest.every((dim): dim is number => typeof dim === 'number' && dim > 0))
    return rest.reduce((a, b) => a * b, 1);
  // A symbolic feature dimension gives no width; one value per row is the only safe guess.
  return 1;
}

function inspectInputs(graph: OnnxGraph, index: GraphIndex, props: Record<string, string>): ModelInput[] {
  const declared = graphInputs(graph);
  for (const input of declared) {
    if (!input.type?.tensorType) {
      throw new AppError(
        'unsupported-model',
        `ModelDock cannot feed the input "${input.name}": it is a ${describeType(input.type)}, not a tensor (a DictVectorizer export takes such a map); only tensor inputs are supported.`,
        { input: input.name, type: describeType(input.type) },
      );
    }
    const type = elementTypeName(input.type.tensorType.elemType);
    if (!feedableTypes.has(type)) {
      throw new AppError(
        'unsupported-model',
        `ModelDock cannot feed the input "${input.name}": its element type ${type} is not supported.`,
        { input: input.name, type },
      );
    }
  }
  const shapes = declared.map((input) => tensorShape(input.type));
  const multiColumn = shapes.filter((shape) => widthOf(shape) > 1 || hasOpenWidth(shape)).length;
  const categories = categoriesByInput(graph, index, new Set(declared.map((input) => input.name ?? '')));
  const optional = optionalInputNames(props);
  return declared.map((input, i) => {
    const name = input.name ?? '';
    const type = elementTypeName(input.type?.tensorType?.elemType);
    const shape = shapes[i] ?? null;
    const open = hasOpenWidth(shape);
    let width = widthOf(shape);
    const featureNames =
      width > 1 || open ? featureNamesFor(name, open ? undefined : width, props, multiColumn) : undefined;
    // [N, F] with a symbolic F: the metadata's feature names are the only statement of F.
    if (featureNames && open) width = featureNames.length;
    const kind = type === 'string' ? 'string' : type === 'bool' ? 'bool' : 'numeric';
    const result: ModelInput = { name, type, shape: shape ?? [null, width], kind, width };
    if (featureNames) result.featureNames = featureNames;
    const known = categories.get(name);
    if (kind === 'string' && known?.length) result.categories = known;
    // Only a one-value input ModelDock can fill with NaN or "" can be left out.
    const fillable = kind === 'string' || type === 'float' || type === 'double';
    if (optional.has(name) && width === 1 && fillable) result.optional = true;
    return result;
  });
}

/** The inputs ModelDock's converter marked as accepting a missing value (`modeldock.optional_inputs`). */
function optionalInputNames(props: Record<string, string>): Set<string> {
  const names = parseNameList(props['modeldock.optional_inputs'] ?? '[]');
  return new Set(names ?? []);
}

/** Categories string encoders know, by the graph input they (through pass-through ops) read. */
function categoriesByInput(graph: OnnxGraph, index: GraphIndex, inputNames: ReadonlySet<string>) {
  const found = new Map<string, string[]>();
  for (const node of graph.node ?? []) {
    let categories: string[] | undefined;
    if (node.opType === 'OneHotEncoder' || node.opType === 'CategoryMapper')
      categories = stringsAttribute(node, 'cats_strings');
    else if (node.opType === 'LabelEncoder') categories = stringsAttribute(node, 'keys_strings');
    if (!categories) continue;
    const input = index.inputBehind(node.input?.[0] ?? '', inputNames);
    if (!input) continue;
    const list = found.get(input) ?? [];
    for (const category of categories) if (!list.includes(category)) list.push(category);
    found.set(input, list);
  }
  return found;
}

function classLabelsOf(node: OnnxNode): (string | number)[] | undefined {
  return stringsAttribute(node, 'classlabels_strings') ?? intsAttribute(node, 'classlabels_ints');
}

interface OutputFacts {
  name: string;
  type: ModelOutput['type'];
  shape: Dimension[];
  width: number | null;
  source?: { node: OnnxNode; index: number };
  zipMap?: ZipMapNode;
}

/** Is this 2-D float output a probability distribution, or raw decision scores? */
function isProbability(facts: OutputFacts): boolean {
  if (facts.zipMap) return true;
  const node = facts.source?.node;
  const op = node?.opType ?? '';
  if (op === 'Softmax' || op === 'Sigmoid') return true;
  if (op === 'Normalizer') return stringAttribute(node!, 'norm') === 'L1';
  if (op === 'TreeEnsembleClassifier') return true; // sklearn forests average votes without a post-transform
  if (op === 'SVMClassifier') return (node!.attribute ?? []).some((attribute) => attribute.name === 'prob_a');
  if (op === 'LinearClassifier') return (stringAttribute(node!, 'post_transform') ?? 'NONE') !== 'NONE';
  return false;
}

function outputFacts(graph: OnnxGraph, index: GraphIndex, zipMaps: readonly ZipMapNode[]): OutputFacts[] {
  return (graph.output ?? []).map((output) => {
    const name = output.name ?? '';
    const zipMap = zipMaps.find((candidate) => candidate.output === name);
    const shape: Dimension[] = zipMap ? ['N', zipMap.classLabels.length] : (tensorShape(output.type) ?? []);
    const type = zipMap
      ? 'float'
      : output.type?.tensorType
        ? elementTypeName(output.type.tensorType.elemType)
        : 'unknown';
    const last = shape.length >= 2 ? shape[shape.length - 1] : shape.length === 1 ? 1 : null;
    const width = shape.length > 2 ? null : typeof last === 'number' ? last : null;
    return { name, type, shape, width, source: index.source(name), zipMap };
  });
}

const isFloat = (type: string) => type === 'float' || type === 'double';
const isLabelType = (type: string) => type === 'string' || type.startsWith('int') || type.startsWith('uint');

/** Roles, task and class labels: sklearn-onnx conventions first, then the general shape of the outputs. */
function inspectOutputs(graph: OnnxGraph, index: GraphIndex, zipMaps: readonly ZipMapNode[]) {
  const facts = outputFacts(graph, index, zipMaps);
  const ops = new Set((graph.node ?? []).map((node) => node.opType ?? ''));
  const hasClassifierOp = [...classifierOps].some((op) => ops.has(op));
  const roles = new Map<string, OutputRole>();
  let classLabels: (string | number)[] | undefined;

  const probabilityLike = facts.filter(
    (fact) =>
      fact.type !== 'unknown' && isFloat(fact.type) && fact.shape.length >= 1 && fact.shape.length <= 2,
  );
  for (const fact of probabilityLike) {
    const fromClassifier = fact.source && classifierOps.has(fact.source.node.opType ?? '');
    if (fact.zipMap || isProbability(fact)) {
      // A Sigmoid with one column is a binary classifier's positive-class probability.
      roles.set(fact.name, 'probabilities');
    } else if (fromClassifier || (hasClassifierOp && (fact.width ?? 0) > 1)) {
      roles.set(fact.name, 'scores');
    }
    if (roles.has(fact.name) && !classLabels) {
      classLabels = fact.zipMap?.classLabels ?? (fact.source ? classLabelsOf(fact.source.node) : undefined);
    }
  }
  const isClassifier = roles.size > 0 || hasClassifierOp;
  for (const fact of facts) {
    if (roles.has(fact.name) || fact.type === 'unknown') continue;
    const rowScalar = fact.shape.length === 1 || (fact.shape.length === 2 && fact.width === 1);
    if (isClassifier && isLabelType(fact.type) && rowScalar && ![...roles.values()].includes('label')) {
      roles.set(fact.name, 'label');
      classLabels ??= fact.source ? classLabelsOf(fact.source.node) : undefined;
    } else if (!isClassifier && isFloat(fact.type) && rowScalar && ![...roles.values()].includes('value')) {
      roles.set(fact.name, 'value');
    }
  }
  const probabilities = facts.find(
    (fact) => roles.get(fact.name) === 'probabilities' || roles.get(fact.name) === 'scores',
  );
  if (!classLabels && probabilities?.width) {
    // General models name no classes: the column index stands in, as sklearn's classes_ would be 0..C-1.
    // One column is the positive class of two (a Sigmoid, a raw score), except a Softmax over one column:
    // that is identically 1, a classifier fit on one class (inventing a second would make it binary).
    const oneClass = probabilities.width === 1 && probabilities.source?.node.opType === 'Softmax';
    const count = probabilities.width === 1 && !oneClass ? 2 : probabilities.width;
    classLabels = Array.from({ length: count }, (_, i) => i);
  }
  let task: Task = 'unknown';
  if (isClassifier) {
    const count = classLabels?.length ?? 0;
    task = count === 2 ? 'binary-classification' : count > 2 ? 'multiclass-classification' : 'unknown';
  } else if ([...roles.values()].includes('value') || [...regressorOps].some((op) => ops.has(op))) {
    task = 'regression';
  }
  const outputs: ModelOutput[] = facts.map((fact) => ({
    name: fact.name,
    type: fact.type,
    shape: fact.shape,
    role: roles.get(fact.name) ?? 'other',
  }));
  return { outputs, task, classLabels: isClassifier ? classLabels : undefined };
}

function inspectMetadata(model: OnnxModel): ModelMetadata {
  const metadataProps: Record<string, string> = {};
  for (const entry of model.metadataProps ?? []) metadataProps[entry.key ?? ''] = entry.value ?? '';
  return {
    irVersion: toNumber(model.irVersion),
    opsetImports: (model.opsetImport ?? []).map((opset) => ({
      domain: opset.domain ?? '',
      version: toNumber(opset.version),
    })),
    producerName: model.producerName ?? '',
    producerVersion: model.producerVersion ?? '',
    domain: model.domain ?? '',
    modelVersion: toNumber(model.modelVersion),
    docString: model.docString ?? '',
    metadataProps,
  };
}

/**
 * Class labels the converter recorded (`modeldock.class_labels`, a JSON array) win over column
 * indices: graphs built from plain operators carry no classifier node that names the classes.
 */
function declaredClassLabels(
  props: Record<string, string>,
  found: (string | number)[] | undefined,
): (string | number)[] | undefined {
  const text = props['modeldock.class_labels'];
  if (!text || !found) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    const valid =
      Array.isArray(parsed) &&
      parsed.length === found.length &&
      parsed.every((label) => typeof label === 'string' || typeof label === 'number');
    return valid ? (parsed as (string | number)[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Inputs, outputs (with roles), task, class labels and metadata of a decoded model.
 * `zipMaps` are the ZipMaps that will be bypassed: their outputs are described as the float
 * tensors [N, C] the served model returns. Throws AppError('unsupported-model') for inputs
 * ModelDock cannot feed (maps, sequences, float16…).
 */
export function inspectModel(model: OnnxModel, zipMaps: readonly ZipMapNode[] = []): ModelInspection {
  const graph = model.graph;
  if (!graph) throw new AppError('corrupt-model', 'The file is an ONNX model without a graph.');
  const metadata = inspectMetadata(model);
  const index = new GraphIndex(graph);
  const inputs = inspectInputs(graph, index, metadata.metadataProps);
  const inspected = inspectOutputs(graph, index, zipMaps);
  const { outputs, task } = inspected;
  const classLabels =
    declaredClassLabels(metadata.metadataProps, inspected.classLabels) ?? inspected.classLabels;
  const inspection: ModelInspection = { inputs, outputs, task, metadata };
  if (classLabels) inspection.classLabels = classLabels;
  // sklearn's convention: predict_proba[:, 1] is the positive class.
  if (task === 'binary-classification' && classLabels) inspection.positiveClass = classLabels[1];
  return inspection;
}
