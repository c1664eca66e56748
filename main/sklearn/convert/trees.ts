import { NdRecordArray, PyObject, type PyValue } from '../pickle/py-values.ts';
import type { ConversionContext, Features } from './context.ts';
import { emitClassifierOutputs, emitRegressorOutput, type ModelOutputs } from './outputs.ts';
import { corrupt, Estimator, numericArray, sequence, unsupportedSetting } from './py-access.ts';
import { matrixFor } from './raw-inputs.ts';
import { TreeEnsembleAttributes } from './tree-ensemble.ts';

/** One fitted sklearn.tree._tree.Tree, as flat arrays indexed by node. */
export interface TreeArrays {
  nodeCount: number;
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  /** 1.3+ trees route NaN left or right; older trees have no such field. */
  missingGoesLeft?: Uint8Array;
  /** value[node, output, class], flattened. */
  values: Float64Array;
  classesPerOutput: number;
}

/** One numeric field of a tree's node records. */
export function nodeField(nodes: NdRecordArray, name: string, owner: string): Float64Array {
  const column = nodes.fields[name];
  const array = column ? numericArray(column) : undefined;
  if (!array) throw corrupt(owner, `its tree nodes have no ${name}`);
  return array.data;
}

/** Reads `tree_` of a DecisionTree* estimator (the Tree's pickled state: nodes and values). */
export function readTree(tree: PyValue | undefined, owner: string): TreeArrays {
  if (!(tree instanceof PyObject)) throw corrupt(owner, 'tree_ is missing');
  const state = new Estimator(tree);
  const nodes = state.raw('nodes');
  if (!(nodes instanceof NdRecordArray)) throw corrupt(owner, 'the tree nodes are not a record array');
  const nodeCount = nodes.size;
  const values = state.array('values');
  const outputs = values.shape[1] ?? 1;
  if (outputs !== 1) throw unsupportedSetting(owner, 'trees with several outputs are not supported');
  const classesPerOutput = values.shape[2] ?? 1;
  if (values.data.length !== nodeCount * classesPerOutput)
    throw corrupt(owner, 'tree values do not match its nodes');
  const missing = nodes.fields.missing_go_to_left;
  return {
    nodeCount,
    left: Int32Array.from(nodeField(nodes, 'left_child', owner)),
    right: Int32Array.from(nodeField(nodes, 'right_child', owner)),
    feature: Int32Array.from(nodeField(nodes, 'feature', owner)),
    threshold: nodeField(nodes, 'threshold', owner),
    ...(missing ? { missingGoesLeft: Uint8Array.from(nodeField(nodes, 'missing_go_to_left', owner)) } : {}),
    values: values.data,
    classesPerOutput,
  };
}

/** One tree of the ensemble with the weight each leaf adds to one target. */
export interface WeightedTree {
  tree: TreeArrays;
  target: number;
  leafWeight: (node: number) => number;
}

/**
 * ai.onnx.ml TreeEnsemble (opset 5) in double. The input is first rounded to float32, as
 * scikit-learn's trees cast X to float32 before comparing with their float64 thresholds
 * (HistGradientBoosting compares float64 values and turns this off);
 * comparing the rounded value in double against the original thresholds reproduces every
 * split exactly, and the leaf values are summed in double. Returns [N, targets].
 */
export function treeEnsemble(
  ctx: ConversionContext,
  x: string,
  width: number,
  trees: WeightedTree[],
  targets: number,
  options: { float32Features?: boolean } = {},
): string {
  const b = ctx.builder;
  const ensemble = new TreeEnsembleAttributes();
  for (const { tree, target, leafWeight } of trees) {
    for (let node = 0; node < tree.nodeCount; node++) {
      const feature = tree.feature[node]!;
      if (tree.left[node] !== -1 && (feature < 0 || feature >= width))
        throw corrupt('tree', `a split uses feature ${feature} of ${width}`);
    }
    ensemble.addTree(tree, nodeOrder(tree.nodeCount), target, leafWeight);
  }
  let rounded = x;
  if (options.float32Features ?? true) {
    const asFloat = b.node('Cast', [x], { to: { kind: 'int', value: 1 } }, { hint: 'x_float32' });
    rounded = b.node('Cast', [asFloat], { to: { kind: 'int', value: 11 } }, { hint: 'x_rounded' });
  }
  return b.node(
    'TreeEnsemble',
    [rounded],
    ensemble.attributes({ targets, mode: 'BRANCH_LEQ', values: 'double' }),
    { domain: 'ai.onnx.ml', hint: 'tree_sum' },
  );
}

/** 0, 1, … count - 1: scikit-learn's trees keep only reachable nodes, the root first. */
function nodeOrder(count: number): number[] {
  return Array.from({ length: count }, (_, node) => node);
}

/** The fitted trees of a forest (estimators_) or the single tree of a DecisionTree*. */
function forestTrees(est: Estimator): TreeArrays[] {
  if (est.name.startsWith('DecisionTree')) return [readTree(est.raw('tree_'), est.name)];
  const members = sequence(est.required('estimators_'));
  if (!members || members.length === 0) throw corrupt(est.name, 'estimators_ is empty');
  return members.map((member) => {
    if (!(member instanceof PyObject))
      throw corrupt(est.name, 'estimators_ holds something that is not a tree');
    return readTree(new Estimator(member).raw('tree_'), est.name);
  });
}

/** Leaf class distribution as DecisionTreeClassifier.predict_proba normalises it (a zero sum stays 0). */
function normalizedLeaf(tree: TreeArrays, node: number, cls: number): number {
  const k = tree.classesPerOutput;
  let sum = 0;
  for (let c = 0; c < k; c++) sum += tree.values[node * k + c]!;
  const value = tree.values[node * k + cls]!;
  return sum === 0 ? value : value / sum;
}

/**
 * The mean over the forest's trees of each target's leaf weight, as a forest's predict averages
 * its trees (the sum divided once, after): [N, targets].
 */
function forestMean(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
  trees: TreeArrays[],
  targets: number,
  leafWeight: (tree: TreeArrays, node: number, target: number) => number,
  hint: string,
): string {
  const b = ctx.builder;
  const matrix = matrixFor(est, features, ctx);
  // Each TreeEnsemble leaf feeds one target, so every target needs its own copy of the trees.
  const weighted: WeightedTree[] = Array.from({ length: targets }, (_, target) =>
    trees.map((tree) => ({ tree, target, leafWeight: (node: number) => leafWeight(tree, node, target) })),
  ).flat();
  const sum = treeEnsemble(ctx, matrix.tensor, matrix.width, weighted, targets);
  return trees.length === 1 ? sum : b.node('Div', [sum, b.doubles([trees.length], [])], {}, { hint });
}

/** DecisionTree / RandomForest / ExtraTrees classifiers: mean of the trees' leaf distributions. */
export function convertForestClassifier(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const trees = forestTrees(est);
  const classCount = trees[0]!.classesPerOutput;
  if (trees.some((tree) => tree.classesPerOutput !== classCount)) {
    throw corrupt(est.name, 'its trees disagree on the classes');
  }
  // Even with two classes both are summed (not 1 - p): predict's argmax must see the same
  // near-ties scikit-learn sees.
  const probabilities = forestMean(est, features, ctx, trees, classCount, normalizedLeaf, 'probabilities');
  ctx.steps.push(est.name);
  return emitClassifierOutputs(ctx, est, probabilities);
}

/** DecisionTree / RandomForest / ExtraTrees regressors: mean of the trees' leaf values. */
export function convertForestRegressor(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const trees = forestTrees(est);
  const value = forestMean(est, features, ctx, trees, 1, (tree, node) => tree.values[node]!, 'variable');
  ctx.steps.push(est.name);
  return emitRegressorOutput(ctx, value, 1);
}
