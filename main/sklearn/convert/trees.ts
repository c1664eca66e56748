import { NdRecordArray, PyObject, type PyValue } from '../pickle/py-values.ts';
import type { ConversionContext, Features } from './context.ts';
import { emitClassifierOutputs, emitRegressorOutput, type ModelOutputs } from './outputs.ts';
import { corrupt, Estimator, numericArray, sequence, unsupportedSetting } from './py-access.ts';
import { matrixFor } from './raw-inputs.ts';

/** One fitted sklearn.tree._tree.Tree, as flat arrays indexed by node. */
export interface TreeArrays {
  nodeCount: number;
  left: Int32Array;
  right: Int32Array;
  feature: Int32Array;
  threshold: Float64Array;
  /** 1.3+ trees route NaN left or right; older trees have no such field. */
  missingGoLeft?: Uint8Array;
  /** value[node, output, class], flattened. */
  values: Float64Array;
  classesPerOutput: number;
}

function field(nodes: NdRecordArray, name: string, owner: string): Float64Array {
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
    left: Int32Array.from(field(nodes, 'left_child', owner)),
    right: Int32Array.from(field(nodes, 'right_child', owner)),
    feature: Int32Array.from(field(nodes, 'feature', owner)),
    threshold: field(nodes, 'threshold', owner),
    ...(missing ? { missingGoLeft: Uint8Array.from(field(nodes, 'missing_go_to_left', owner)) } : {}),
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
  const roots: number[] = [];
  const featureIds: number[] = [];
  const splits: number[] = [];
  const trueIds: number[] = [];
  const trueLeafs: number[] = [];
  const falseIds: number[] = [];
  const falseLeafs: number[] = [];
  const missingTrue: number[] = [];
  const leafTargets: number[] = [];
  const leafWeights: number[] = [];
  for (const { tree, target, leafWeight } of trees) {
    // Interior nodes and leaves get their own consecutive ids (-1 = not of that kind).
    const interiorId = new Int32Array(tree.nodeCount).fill(-1);
    const leafId = new Int32Array(tree.nodeCount).fill(-1);
    let interiorCount = 0;
    for (let node = 0; node < tree.nodeCount; node++) {
      if (tree.left[node] === -1) {
        leafId[node] = leafTargets.length;
        leafTargets.push(target);
        leafWeights.push(leafWeight(node));
      } else {
        interiorId[node] = featureIds.length + interiorCount++;
      }
    }
    if (interiorCount === 0) {
      // A single-leaf tree: a split every value (and NaN) passes, leading to the leaf both ways.
      roots.push(featureIds.length);
      featureIds.push(0);
      splits.push(Number.POSITIVE_INFINITY);
      const leaf = leafId[0]!;
      trueIds.push(leaf);
      falseIds.push(leaf);
      trueLeafs.push(1);
      falseLeafs.push(1);
      missingTrue.push(1);
      continue;
    }
    roots.push(interiorId[0]!);
    for (let node = 0; node < tree.nodeCount; node++) {
      if (interiorId[node] === -1) continue;
      const feature = tree.feature[node]!;
      if (feature < 0 || feature >= width)
        throw corrupt('tree', `a split uses feature ${feature} of ${width}`);
      featureIds.push(feature);
      splits.push(tree.threshold[node]!);
      const yes = tree.left[node]!;
      const no = tree.right[node]!;
      const yesLeaf = leafId[yes]! >= 0;
      const noLeaf = leafId[no]! >= 0;
      trueIds.push(yesLeaf ? leafId[yes]! : interiorId[yes]!);
      trueLeafs.push(yesLeaf ? 1 : 0);
      falseIds.push(noLeaf ? leafId[no]! : interiorId[no]!);
      falseLeafs.push(noLeaf ? 1 : 0);
      missingTrue.push(tree.missingGoLeft?.[node] ?? 0);
    }
  }
  let rounded = x;
  if (options.float32Features ?? true) {
    const asFloat = b.node('Cast', [x], { to: { kind: 'int', value: 1 } }, { hint: 'x_float32' });
    rounded = b.node('Cast', [asFloat], { to: { kind: 'int', value: 11 } }, { hint: 'x_rounded' });
  }
  return b.node(
    'TreeEnsemble',
    [rounded],
    {
      aggregate_function: { kind: 'int', value: 1 }, // SUM; averaging is done after, as scikit-learn does
      post_transform: { kind: 'int', value: 0 },
      n_targets: { kind: 'int', value: targets },
      tree_roots: { kind: 'ints', value: roots },
      nodes_featureids: { kind: 'ints', value: featureIds },
      nodes_modes: {
        kind: 'tensor',
        value: { type: 'uint8', values: new Uint8Array(featureIds.length) },
        dims: [featureIds.length],
      },
      nodes_splits: { kind: 'tensor', value: { type: 'double', values: splits }, dims: [splits.length] },
      nodes_truenodeids: { kind: 'ints', value: trueIds },
      nodes_trueleafs: { kind: 'ints', value: trueLeafs },
      nodes_falsenodeids: { kind: 'ints', value: falseIds },
      nodes_falseleafs: { kind: 'ints', value: falseLeafs },
      nodes_missing_value_tracks_true: { kind: 'ints', value: missingTrue },
      leaf_targetids: { kind: 'ints', value: leafTargets },
      leaf_weights: {
        kind: 'tensor',
        value: { type: 'double', values: leafWeights },
        dims: [leafWeights.length],
      },
    },
    { domain: 'ai.onnx.ml', hint: 'tree_sum' },
  );
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

/** DecisionTree / RandomForest / ExtraTrees classifiers: mean of the trees' leaf distributions. */
export function convertForestClassifier(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const b = ctx.builder;
  const matrix = matrixFor(est, features, ctx);
  const trees = forestTrees(est);
  const classCount = trees[0]!.classesPerOutput;
  if (trees.some((tree) => tree.classesPerOutput !== classCount)) {
    throw corrupt(est.name, 'its trees disagree on the classes');
  }
  // Each TreeEnsemble leaf feeds one target, so every class needs its own copy of the trees.
  // Even with two classes both are summed (not 1 - p): predict's argmax must see the same
  // near-ties scikit-learn sees.
  const weighted: WeightedTree[] = Array.from({ length: classCount }, (_, cls) =>
    trees.map((tree) => ({
      tree,
      target: cls,
      leafWeight: (node: number) => normalizedLeaf(tree, node, cls),
    })),
  ).flat();
  const sum = treeEnsemble(ctx, matrix.tensor, matrix.width, weighted, classCount);
  const probabilities =
    trees.length === 1
      ? sum
      : b.node('Div', [sum, b.doubles([trees.length], [])], {}, { hint: 'probabilities' });
  ctx.steps.push(est.name);
  return emitClassifierOutputs(ctx, est, probabilities);
}

/** DecisionTree / RandomForest / ExtraTrees regressors: mean of the trees' leaf values. */
export function convertForestRegressor(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const b = ctx.builder;
  const matrix = matrixFor(est, features, ctx);
  const trees = forestTrees(est);
  const weighted = trees.map((tree) => ({
    tree,
    target: 0,
    leafWeight: (node: number) => tree.values[node]!,
  }));
  const sum = treeEnsemble(ctx, matrix.tensor, matrix.width, weighted, 1);
  const value =
    trees.length === 1 ? sum : b.node('Div', [sum, b.doubles([trees.length], [])], {}, { hint: 'variable' });
  ctx.steps.push(est.name);
  return emitRegressorOutput(ctx, value, 1);
}
