/**
 * Reads an xgboost model from the bytes it was saved as, into plain arrays the converter walks.
 * Three layouts exist, depending on the xgboost version that wrote them:
 * - JSON text (`model.json`; pickles of 1.0–1.5 with JSON serialisation switched on),
 * - UBJSON (`model.ubj`; every pickle since 1.6), the same document in binary,
 * - the legacy binary format (`save_raw()` before 2.0, `model.bin`, pickles up to 1.5, the
 *   latter behind a "CONFIG-offset:" header that also carries the training configuration).
 * Pickles keep a "memory snapshot", {"Config": …, "Model": …}; only "Model" matters here.
 * Nothing here trusts a declared size: counts are checked against the bytes present.
 */
import { AppError } from '../../errors.ts';
import { decodeUbjson, type UbjObject, UbjsonError, type UbjValue } from './ubjson.ts';

/** One regression tree, by node id. A leaf has left = -1 and its value in `value`. */
export interface XgbTree {
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  /** The split threshold (float32) of an interior node, the leaf value (float32) of a leaf. */
  value: Float32Array;
  defaultLeft: Uint8Array;
  /** True when some split tests categories (split_type 1), which ModelDock does not convert yet. */
  categorical: boolean;
}

export interface XgbModel {
  /** Which layout the bytes were in, for messages and `inspect`. */
  layout: 'json' | 'ubjson' | 'binary';
  /** [major, minor, patch] when the file records it (JSON/UBJSON), [major, minor] for binary. */
  version?: number[];
  objective: string;
  booster: string;
  numFeature: number;
  /** 0 for binary and regression objectives. */
  numClass: number;
  numTarget: number;
  /**
   * base_score as saved: in the objective's output space (a probability for logistic
   * objectives) in every version; one value, or one per target/class (2.x+ "[…]" form).
   */
  baseScore: number[];
  featureNames?: string[];
  featureTypes?: string[];
  trees: XgbTree[];
  /** The output group (class) each tree adds to. */
  treeInfo: Int32Array;
  numParallelTree: number;
  /** Tree index where each boosting round starts (2.x+ records it; computed otherwise). */
  iterationIndptr?: number[];
  attributes: Record<string, string>;
}

/** The bytes are not an xgboost model ModelDock can read. */
export function xgbCorrupt(detail: string): AppError {
  return new AppError(
    'corrupt-model',
    `The XGBoost model in this file is damaged or not laid out as ModelDock expects: ${detail}.`,
  );
}

const latin1 = new TextDecoder('latin1');
const configHeader = 'CONFIG-offset:';

/** Parses model bytes in any of the three layouts (a pickle's snapshot or a saved model file). */
export function readXgboostModel(bytes: Uint8Array): XgbModel {
  let start = 0;
  while (start < bytes.length && isSpace(bytes[start]!)) start++;
  if (bytes[start] === 0x7b /* { */) {
    let next = start + 1;
    while (next < bytes.length && isSpace(bytes[next]!)) next++;
    // As xgboost's own loader decides: a quote after "{" is JSON text, a letter (UBJSON's
    // length markers i/U/I/l/L) is UBJSON.
    if (bytes[next] === 0x22 /* " */) return fromDocument(parseJsonText(bytes), 'json');
    return fromDocument(parseUbjson(bytes), 'ubjson');
  }
  if (latin1.decode(bytes.subarray(0, configHeader.length)) === configHeader) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (bytes.length < configHeader.length + 8) throw xgbCorrupt('the snapshot header is cut short');
    const length = Number(view.getBigInt64(configHeader.length, true));
    const from = configHeader.length + 8;
    if (length < 0 || length > bytes.length - from)
      throw xgbCorrupt('the snapshot declares more model bytes than it holds');
    return readLegacyBinary(bytes.subarray(from, from + length));
  }
  return readLegacyBinary(bytes);
}

function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

function parseJsonText(bytes: Uint8Array): UbjValue {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)) as UbjValue;
  } catch (error) {
    throw xgbCorrupt(`its JSON does not parse (${error instanceof Error ? error.message : String(error)})`);
  }
}

function parseUbjson(bytes: Uint8Array): UbjValue {
  try {
    return decodeUbjson(bytes);
  } catch (error) {
    if (error instanceof UbjsonError) throw xgbCorrupt(`its UBJSON is malformed (${error.message})`);
    throw error;
  }
}

// ---- JSON / UBJSON documents ----

function isObject(value: UbjValue | undefined): value is UbjObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

function objectAt(parent: UbjObject, key: string, where: string): UbjObject {
  const value = parent[key];
  if (!isObject(value)) throw xgbCorrupt(`${where}.${key} is missing`);
  return value;
}

/** xgboost writes parameters as strings ("3", "5E-1"); older files sometimes as numbers. */
function numberParam(parent: UbjObject, key: string, fallback?: number): number {
  const value = parent[key];
  if (value === undefined && fallback !== undefined) return fallback;
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : Number.NaN;
  if (!Number.isFinite(n)) throw xgbCorrupt(`${key} is not a number`);
  return n;
}

/** "5E-1" (1.x), "[5E-1]" (2.x) or "[1E0,2E0,3E0]" (one per class or target, 3.x). */
export function parseBaseScore(value: UbjValue | undefined): number[] {
  if (typeof value === 'number') return [Math.fround(value)];
  if (typeof value !== 'string') throw xgbCorrupt('base_score is missing');
  const inner = value
    .trim()
    .replace(/^[[(]/, '')
    .replace(/[\])]$/, '');
  const parts = inner.split(',').map((part) => Number(part.trim()));
  if (parts.length === 0 || parts.some((n) => !Number.isFinite(n)))
    throw xgbCorrupt(`base_score "${value.slice(0, 40)}" is not a list of numbers`);
  return parts.map(Math.fround);
}

type NumericArray = ArrayLike<number>;

/** A numeric array from JSON (numbers or booleans) or UBJSON (a typed array). */
function numericArray(tree: UbjObject, key: string, length: number, index: number): NumericArray {
  const value = tree[key];
  let out: NumericArray | undefined;
  if (ArrayBuffer.isView(value)) out = value as unknown as NumericArray;
  else if (Array.isArray(value)) {
    out = value.map((item) => (typeof item === 'boolean' ? (item ? 1 : 0) : (item as number)));
    if ((out as number[]).some((n) => typeof n !== 'number')) out = undefined;
  }
  if (!out) throw xgbCorrupt(`tree ${index} has no ${key}`);
  if (out.length !== length)
    throw xgbCorrupt(`tree ${index}'s ${key} has ${out.length} entries for ${length} nodes`);
  return out;
}

function readJsonTree(tree: UbjObject, index: number): XgbTree {
  const param = isObject(tree.tree_param) ? tree.tree_param : {};
  if (numberParam(param, 'size_leaf_vector', 1) > 1) {
    // 2.x+ multi_strategy="multi_output_tree": one leaf holds a value per target.
    throw new AppError(
      'unsupported-model',
      "ModelDock can't convert this XGBoost model yet: its trees have vector leaves (multi_strategy='multi_output_tree').",
    );
  }
  const left = tree.left_children;
  const count = ArrayBuffer.isView(left) || Array.isArray(left) ? (left as ArrayLike<unknown>).length : -1;
  if (count < 1) throw xgbCorrupt(`tree ${index} has no nodes`);
  const splitType = tree.split_type;
  const categorical =
    (ArrayBuffer.isView(splitType) || Array.isArray(splitType)) &&
    Array.from(splitType as ArrayLike<number>).some((type) => type === 1);
  return {
    left: Int32Array.from(numericArray(tree, 'left_children', count, index)),
    right: Int32Array.from(numericArray(tree, 'right_children', count, index)),
    feature: Int32Array.from(numericArray(tree, 'split_indices', count, index)),
    value: Float32Array.from(numericArray(tree, 'split_conditions', count, index)),
    defaultLeft: Uint8Array.from(numericArray(tree, 'default_left', count, index)),
    categorical,
  };
}

function strings(value: UbjValue | undefined): string[] | undefined {
  if (!Array.isArray(value) || value.length === 0) return undefined;
  return value.every((item) => typeof item === 'string') ? (value as string[]) : undefined;
}

function fromDocument(document: UbjValue, layout: 'json' | 'ubjson'): XgbModel {
  if (!isObject(document)) throw xgbCorrupt('the model is not an object');
  const root = isObject(document.Model) ? document.Model : document;
  const learner = objectAt(root, 'learner', 'model');
  const param = objectAt(learner, 'learner_model_param', 'learner');
  const objective = objectAt(learner, 'objective', 'learner').name;
  if (typeof objective !== 'string') throw xgbCorrupt('the objective has no name');
  const boosterObject = objectAt(learner, 'gradient_booster', 'learner');
  const booster = typeof boosterObject.name === 'string' ? boosterObject.name : 'gbtree';
  const version =
    Array.isArray(root.version) || ArrayBuffer.isView(root.version)
      ? Array.from(root.version as ArrayLike<number>)
      : undefined;
  const attributesObject = isObject(learner.attributes) ? learner.attributes : {};
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(attributesObject)) {
    if (typeof value === 'string') attributes[key] = value;
  }
  const common = {
    layout,
    ...(version ? { version } : {}),
    objective,
    booster,
    numFeature: numberParam(param, 'num_feature'),
    numClass: numberParam(param, 'num_class', 0),
    numTarget: numberParam(param, 'num_target', 1),
    baseScore: parseBaseScore(param.base_score),
    ...(strings(learner.feature_names) ? { featureNames: strings(learner.feature_names)! } : {}),
    ...(strings(learner.feature_types) ? { featureTypes: strings(learner.feature_types)! } : {}),
    attributes,
  };
  if (booster !== 'gbtree') {
    // dart keeps its trees under "gbtree" and weighs them; gblinear has no trees.
    return { ...common, trees: [], treeInfo: new Int32Array(0), numParallelTree: 1 };
  }
  const model = objectAt(boosterObject, 'model', 'gradient_booster');
  const treeList = model.trees;
  if (!Array.isArray(treeList)) throw xgbCorrupt('gradient_booster.model.trees is not a list');
  const trees = treeList.map((tree, index) => {
    if (!isObject(tree)) throw xgbCorrupt(`tree ${index} is not an object`);
    return readJsonTree(tree, index);
  });
  const info = model.tree_info;
  const treeInfo =
    Array.isArray(info) || ArrayBuffer.isView(info)
      ? Int32Array.from(info as ArrayLike<number>)
      : new Int32Array(trees.length);
  if (treeInfo.length !== trees.length) throw xgbCorrupt('tree_info does not match the trees');
  const modelParam = isObject(model.gbtree_model_param) ? model.gbtree_model_param : {};
  const indptr = model.iteration_indptr;
  return {
    ...common,
    trees,
    treeInfo,
    numParallelTree: numberParam(modelParam, 'num_parallel_tree', 1),
    ...(Array.isArray(indptr) || ArrayBuffer.isView(indptr)
      ? { iterationIndptr: Array.from(indptr as ArrayLike<number>) }
      : {}),
  };
}

// ---- the legacy binary format (little-endian C structs, as xgboost wrote them on x86) ----

class BinaryReader {
  offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(count: number, what: string): void {
    if (count > this.bytes.length - this.offset) throw xgbCorrupt(`${what} is cut short`);
  }
  int32(): number {
    this.need(4, 'a number');
    const value = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return value;
  }
  uint32(): number {
    this.need(4, 'a number');
    const value = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return value;
  }
  float32(): number {
    this.need(4, 'a number');
    const value = this.view.getFloat32(this.offset, true);
    this.offset += 4;
    return value;
  }
  uint64(what: string): number {
    this.need(8, what);
    const value = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    if (value > BigInt(this.bytes.length)) throw xgbCorrupt(`${what} is larger than the file`);
    return Number(value);
  }
  skip(count: number, what: string): void {
    this.need(count, what);
    this.offset += count;
  }
  string(what: string): string {
    const length = this.uint64(what);
    this.need(length, what);
    const text = latin1.decode(this.bytes.subarray(this.offset, this.offset + length));
    this.offset += length;
    return text;
  }
}

/** LearnerModelParamLegacy (136 bytes), then objective and booster names, then the booster. */
function readLegacyBinary(bytes: Uint8Array): XgbModel {
  const r = new BinaryReader(bytes);
  if (latin1.decode(bytes.subarray(0, 4)) === 'binf') r.offset = 4;
  r.need(136, 'the model header');
  const baseScore = r.float32();
  const numFeature = r.uint32();
  const numClass = r.int32();
  const containExtraAttrs = r.int32();
  r.int32(); // contain_eval_metrics
  const major = r.uint32();
  const minor = r.uint32();
  const numTarget = r.uint32() || 1;
  r.skip(136 - 32, 'the model header'); // boost_from_average and reserved space
  const objective = r.string('the objective name');
  const booster = r.string('the booster name');
  if (!/^[a-z:_]{1,64}$/.test(objective) || !/^[a-z]{1,32}$/.test(booster))
    throw xgbCorrupt('it is not an xgboost model (no objective and booster names where expected)');
  const common = {
    layout: 'binary' as const,
    ...(major > 0 && major < 100 ? { version: [major, minor] } : {}),
    objective,
    booster,
    numFeature,
    numClass: Math.max(0, numClass),
    numTarget,
    baseScore: [baseScore],
  };
  if (booster !== 'gbtree' && booster !== 'dart') {
    return { ...common, trees: [], treeInfo: new Int32Array(0), numParallelTree: 1, attributes: {} };
  }
  // GBTreeModelParam: num_trees, num_parallel_tree, 2 deprecated ints, an int64, 2 ints, 32 reserved.
  r.need(160, 'the booster header');
  const numTrees = r.int32();
  const numParallelTree = r.int32() || 1;
  r.skip(160 - 8, 'the booster header');
  // A tree takes at least its 148-byte header and one 36-byte node.
  if (numTrees < 0 || numTrees * 184 > bytes.length - r.offset)
    throw xgbCorrupt('it declares more trees than it holds');
  const trees: XgbTree[] = [];
  for (let index = 0; index < numTrees; index++) trees.push(readLegacyTree(r, index));
  r.need(4 * numTrees, 'tree_info');
  const treeInfo = new Int32Array(numTrees);
  for (let index = 0; index < numTrees; index++) treeInfo[index] = r.int32();
  const attributes: Record<string, string> = {};
  if (booster === 'dart') r.skip(8 + 4 * r.uint64('weight_drop'), 'weight_drop');
  if (containExtraAttrs !== 0) {
    const count = r.uint64('the attribute count');
    for (let i = 0; i < count; i++) {
      const key = r.string('an attribute name');
      attributes[key] = r.string('an attribute value');
    }
  }
  return { ...common, trees, treeInfo, numParallelTree, attributes };
}

/** TreeParam (148 bytes), then num_nodes Nodes (20 bytes) and RTreeNodeStats (16 bytes). */
function readLegacyTree(r: BinaryReader, index: number): XgbTree {
  r.need(148, `tree ${index}`);
  r.int32(); // deprecated num_roots
  const nodes = r.int32();
  r.skip(148 - 8, `tree ${index}`);
  if (nodes < 1) throw xgbCorrupt(`tree ${index} has no nodes`);
  r.need(36 * nodes, `tree ${index}`);
  const tree: XgbTree = {
    left: new Int32Array(nodes),
    right: new Int32Array(nodes),
    feature: new Int32Array(nodes),
    value: new Float32Array(nodes),
    defaultLeft: new Uint8Array(nodes),
    categorical: false, // the binary format cannot store categorical splits
  };
  for (let node = 0; node < nodes; node++) {
    r.int32(); // parent (top bit: is a left child)
    tree.left[node] = r.int32();
    tree.right[node] = r.int32();
    const splitIndex = r.uint32();
    tree.feature[node] = splitIndex & 0x7fffffff;
    tree.defaultLeft[node] = splitIndex >>> 31;
    tree.value[node] = r.float32();
  }
  r.skip(16 * nodes, `tree ${index}'s statistics`);
  return tree;
}
