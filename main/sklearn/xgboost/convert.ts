/**
 * XGBoost (Booster, XGBClassifier, XGBRegressor) → one ai.onnx.ml TreeEnsemble.
 *
 * Reproducing xgboost's numbers: its CPU predictor stores features as float32, sends a node
 * left when `x < threshold` (both float32) or, for a missing value, the node's default
 * direction; then it starts each row's margin at base_score (turned into margin space) and
 * adds every tree's leaf value in float32, tree by tree, in model order. Summing the same
 * leaves in double, or in another order, moves a 500-tree margin by a few float32 ulps —
 * enough to miss 1e-6 on a probability. So the TreeEnsemble runs in float (float input,
 * thresholds and leaves) with the base margin as a first one-leaf tree: onnxruntime adds a
 * row's leaves into a float score one tree after another, which is xgboost's sequence. That
 * holds on one intra-op thread, as every ModelDock session runs; with several threads
 * onnxruntime may sum a small batch's trees in chunks and differ by a few ulps. The
 * objective's transform (sigmoid, softmax) is then done in double from the float32 margin,
 * within 1e-7 of xgboost's float32 transform; exp for count:poisson stays float32.
 */
import { AppError } from '../../errors.ts';
import type { ConversionContext, Features } from '../convert/context.ts';
import { emitClassifierOutputs, emitRegressorOutput, type ModelOutputs } from '../convert/outputs.ts';
import { Estimator, numericArray, scalars, sequence, toNumber } from '../convert/py-access.ts';
import { TreeEnsembleAttributes } from '../convert/tree-ensemble.ts';
import type { Attribute } from '../onnx-builder.ts';
import { PyObject } from '../pickle/py-values.ts';
import { readXgboostModel, type XgbModel, type XgbTree, xgbCorrupt } from './model.ts';

/** Objectives ModelDock converts, and what each does to the summed margin. */
const objectives = {
  'binary:logistic': 'classifier',
  'binary:logitraw': 'classifier',
  'multi:softprob': 'classifier',
  'multi:softmax': 'classifier',
  'reg:squarederror': 'regressor',
  'reg:linear': 'regressor', // the name reg:squarederror had before 0.90
  'reg:logistic': 'regressor',
  'count:poisson': 'regressor',
} as const;
type Objective = keyof typeof objectives;

export const supportedObjectives = Object.keys(objectives).filter((name) => name !== 'reg:linear');

function cannot(detail: string): AppError {
  return new AppError('unsupported-model', `ModelDock can't convert this XGBoost model yet: ${detail}.`);
}

/** The Booster inside an estimator: itself (xgb.train), or XGBClassifier/XGBRegressor's `_Booster`. */
function boosterOf(est: Estimator): { booster: Estimator; model: XgbModel } {
  let booster = est;
  if (est.name !== 'Booster') {
    const inner = est.raw('_Booster');
    if (!(inner instanceof PyObject) || !inner.attributes)
      throw new AppError(
        'corrupt-model',
        `The ${est.name} in this file has no trained booster (was it fitted?).`,
      );
    booster = new Estimator(inner);
  }
  const handle = booster.raw('handle');
  if (!(handle instanceof Uint8Array) || handle.length === 0)
    throw new AppError('corrupt-model', 'The XGBoost Booster in this file holds no model (was it trained?).');
  return { booster, model: readXgboostModel(handle) };
}

/** Feature names: the model's own (1.4+), a Booster's pickled attribute (older), the sklearn wrapper's, or f0, f1, … */
function featureNames(est: Estimator, booster: Estimator, model: XgbModel): string[] {
  const candidates = [
    model.featureNames,
    optionalStrings(booster.raw('feature_names')),
    optionalStrings(est.raw('feature_names_in_')),
  ];
  const names = candidates.find((list) => list && list.length === model.numFeature);
  return names ?? Array.from({ length: model.numFeature }, (_, index) => `f${index}`);
}

function optionalStrings(value: ReturnType<Estimator['raw']>): string[] | undefined {
  if (value === undefined || value === null || !sequence(value)) return undefined;
  try {
    return scalars(value, 'feature_names', 'Booster').map(String);
  } catch {
    return undefined;
  }
}

/** base_score (output space) → margin space, in float32 as each objective's ProbToMargin: -logf(1.0f / p - 1.0f) for logistic. */
function baseMargin(objective: Objective, score: number): number {
  const f = Math.fround;
  switch (objective) {
    case 'binary:logistic':
    case 'reg:logistic':
      if (!(score > 0 && score < 1)) throw xgbCorrupt(`base_score ${score} is not a probability`);
      return f(-Math.log(f(f(1 / score) - 1)));
    case 'count:poisson':
      if (!(score > 0)) throw xgbCorrupt(`base_score ${score} is not positive`);
      return f(Math.log(score));
    default:
      return score; // squared error, logitraw and the softmax objectives use it as it is
  }
}

/** The trees predict() uses: all of them, or those of the first best_iteration + 1 rounds (sklearn wrapper). */
function treesInUse(est: Estimator, model: XgbModel, groups: number): number {
  const total = model.trees.length;
  if (est.name === 'Booster') return total; // Booster.predict uses every tree unless told otherwise
  const best = Number(model.attributes.best_iteration);
  if (!Number.isInteger(best) || best < 0) return total;
  const rounds = best + 1;
  const indptr = model.iterationIndptr;
  if (indptr && indptr.length > rounds) return Math.min(total, indptr[rounds]!);
  return Math.min(total, rounds * groups * model.numParallelTree);
}

/** Checks a tree's links (reachable nodes only: the binary format keeps deleted ones) and measures its depth. */
function walk(tree: XgbTree, index: number, numFeature: number): { depth: number; order: number[] } {
  const count = tree.left.length;
  const order: number[] = [];
  const seen = new Uint8Array(count);
  const stack: [number, number][] = [[0, 0]];
  let depth = 0;
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (node < 0 || node >= count || seen[node]) throw xgbCorrupt(`tree ${index} has a broken node link`);
    seen[node] = 1;
    order.push(node);
    depth = Math.max(depth, level);
    const left = tree.left[node]!;
    if (left === -1) continue;
    const feature = tree.feature[node]!;
    if (feature < 0 || feature >= numFeature)
      throw xgbCorrupt(`tree ${index} splits on feature ${feature} of ${numFeature}`);
    stack.push([tree.right[node]!, level + 1], [left, level + 1]);
  }
  return { depth, order };
}

/**
 * Builds the TreeEnsemble attribute arrays. Each class's base margin comes first as a one-leaf
 * tree, then xgboost's trees in model order: onnxruntime adds a target's leaves one tree after
 * another into a float32 score that starts at 0, so the sum is fl(fl(base + leaf0) + leaf1)…,
 * xgboost's own sequence.
 */
function ensembleAttributes(
  model: XgbModel,
  used: number,
  groups: number,
  base: number[],
): { attributes: Record<string, Attribute>; depth: number } {
  const ensemble = new TreeEnsembleAttributes();
  base.forEach((margin, group) => {
    ensemble.addSingleLeaf(group, margin);
  });
  let depth = 0;
  for (let t = 0; t < used; t++) {
    const tree = model.trees[t]!;
    if (tree.categorical) {
      throw cannot(
        'it splits on categorical features (enable_categorical=True); one-hot encode them (a DictVectorizer or OneHotEncoder) before XGBoost instead',
      );
    }
    const target = model.treeInfo[t]!;
    if (target < 0 || target >= groups)
      throw xgbCorrupt(`tree ${t} belongs to output ${target} of ${groups}`);
    const shape = walk(tree, t, model.numFeature);
    depth = Math.max(depth, shape.depth);
    // An interior node's value is its threshold, a leaf's its weight.
    ensemble.addTree(
      {
        left: tree.left,
        right: tree.right,
        feature: tree.feature,
        threshold: tree.value,
        missingGoesLeft: tree.defaultLeft,
      },
      shape.order,
      target,
      (node) => tree.value[node]!,
    );
  }
  // BRANCH_LT: xgboost goes left when x < threshold.
  return { depth, attributes: ensemble.attributes({ targets: groups, mode: 'BRANCH_LT', values: 'float' }) };
}

/** The [N,F] double matrix the model reads: graph inputs named after its features when it comes first. */
function inputMatrix(
  est: Estimator,
  names: string[],
  features: Features,
  ctx: ConversionContext,
): { tensor: string; width: number } {
  if (features.kind === 'raw') {
    const columns = names.map((name, index) => {
      const tensor = ctx.input(name, 'double', features.orders?.[index] ?? index);
      ctx.acceptsMissing(name); // NaN is xgboost's missing value: the node's default direction
      return { tensor, type: 'double' as const, name };
    });
    return ctx.toMatrix({ kind: 'columns', columns }, est.name);
  }
  return ctx.toMatrix(features, est.name);
}

/** Margins [N, groups] in float32, summed as xgboost sums them. */
function margins(
  ctx: ConversionContext,
  x: string,
  model: XgbModel,
  used: number,
  groups: number,
  missing: number,
): { margin: string; depth: number } {
  const b = ctx.builder;
  let xf = b.node('Cast', [x], { to: { kind: 'int', value: 1 } }, { hint: 'x_float32' });
  const nan = () => b.constant({ type: 'float', values: [Number.NaN] }, []);
  if (ctx.unstoredZeros) {
    // A sparse OneHotEncoder/ColumnTransformer output keeps no zeros, and DMatrix reads what a
    // CSR matrix does not store as missing: every 0 reaches the trees as missing.
    const isZero = b.node('Equal', [xf, b.constant({ type: 'float', values: [0] }, [])]);
    xf = b.node('Where', [isZero, nan(), xf], {}, { hint: 'zeros_missing' });
  }
  if (!Number.isNaN(missing)) {
    // XGBModel(missing=m): a value equal to m is missing, like NaN.
    const isMissing = b.node('Equal', [xf, b.constant({ type: 'float', values: [missing] }, [])]);
    xf = b.node('Where', [isMissing, nan(), xf]);
  }
  const objective = model.objective as Objective;
  const scores = model.baseScore.length === 1 ? new Array(groups).fill(model.baseScore[0]) : model.baseScore;
  if (scores.length !== groups)
    throw xgbCorrupt(`base_score has ${model.baseScore.length} values for ${groups} outputs`);
  const base = scores.map((score: number) => baseMargin(objective, score));
  const { attributes, depth } = ensembleAttributes(model, used, groups, base);
  const margin = b.node('TreeEnsemble', [xf], attributes, { domain: 'ai.onnx.ml', hint: 'margin' });
  return { margin, depth };
}

/** Class labels: XGBClassifier's classes_ (or an old LabelEncoder's), else 0 … K-1. */
function labelsOf(
  est: Estimator,
  classes: number,
): { labels: (string | number)[]; type: 'int64' | 'string' } {
  const encoder = est.raw('_le');
  const source = est.has('classes_')
    ? est.raw('classes_')
    : encoder instanceof PyObject
      ? encoder.attributes?.get('classes_')
      : undefined;
  if (source !== undefined && source !== null) {
    const values = scalars(source, 'classes_', est.name);
    if (values.length === classes) {
      const integral = values.every((v) => typeof v === 'number' && Number.isSafeInteger(v));
      return integral
        ? { labels: values.map(Number), type: 'int64' }
        : { labels: values.map(String), type: 'string' };
    }
  }
  return { labels: Array.from({ length: classes }, (_, index) => index), type: 'int64' };
}

/** The sklearn wrapper's `missing` (NaN unless set). */
function missingValue(est: Estimator): number {
  const value = est.raw('missing');
  if (value === undefined || value === null) return Number.NaN;
  const n = toNumber(value) ?? numericArray(value)?.data[0];
  return n === undefined ? Number.NaN : Math.fround(n);
}

/** Booster / XGBClassifier / XGBRegressor, alone or as a pipeline's last step. */
export function convertXgboost(est: Estimator, features: Features, ctx: ConversionContext): ModelOutputs {
  const b = ctx.builder;
  const { booster, model } = boosterOf(est);
  const objective = model.objective;
  if (!(objective in objectives)) {
    throw cannot(`its objective is ${objective} (supported: ${supportedObjectives.join(', ')})`);
  }
  if (model.booster !== 'gbtree') throw cannot(`it uses booster="${model.booster}" (supported: gbtree)`);
  if (model.numTarget > 1) throw cannot(`it predicts ${model.numTarget} targets at once`);
  if (model.featureTypes?.some((type) => type === 'c'))
    throw cannot('it has categorical features (enable_categorical=True)');
  const multiclass = objective.startsWith('multi:');
  const groups = multiclass ? model.numClass : 1;
  if (groups < 1 || (multiclass && groups < 2)) throw xgbCorrupt(`num_class is ${model.numClass}`);
  if (model.trees.length === 0) throw xgbCorrupt('it has no trees');
  const names = featureNames(est, booster, model);
  const x = inputMatrix(est, names, features, ctx);
  if (x.width !== model.numFeature) {
    throw new AppError(
      'unsupported-model',
      `ModelDock can't convert this pipeline: the steps before ${est.name} give ${x.width} columns, but it was trained on ${model.numFeature}.`,
    );
  }
  const used = treesInUse(est, model, groups);
  const { margin, depth } = margins(ctx, x.tensor, model, used, groups, missingValue(est));
  const version = model.version ? ` ${model.version.join('.')}` : '';
  ctx.steps.push(`${est.name} (xgboost${version}, ${objective}, ${used} trees, depth ${depth})`);
  const marginDouble = b.node(
    'Cast',
    [margin],
    { to: { kind: 'int', value: 11 } },
    { hint: 'margin_double' },
  );
  switch (objective as Objective) {
    case 'binary:logistic':
    case 'binary:logitraw': {
      // logitraw predicts the raw margin; as a classifier its probability is the sigmoid of it.
      const p = b.node('Sigmoid', [marginDouble], {}, { hint: 'p_positive' });
      const q = b.node('Sub', [b.doubles([1], []), p], {}, { hint: 'p_negative' });
      const distribution = b.node('Concat', [q, p], { axis: { kind: 'int', value: 1 } });
      return emitClassifierOutputs(ctx, est, distribution, undefined, { labels: labelsOf(est, 2) });
    }
    case 'multi:softprob':
    case 'multi:softmax': {
      const probabilities = b.node(
        'Softmax',
        [marginDouble],
        { axis: { kind: 'int', value: 1 } },
        { hint: 'probabilities' },
      );
      // softmax's predict is the first largest margin (in float32), as xgboost picks it.
      const index =
        objective === 'multi:softmax'
          ? b.node('ArgMax', [margin], {
              axis: { kind: 'int', value: 1 },
              keepdims: { kind: 'int', value: 0 },
            })
          : undefined;
      return emitClassifierOutputs(ctx, est, probabilities, index, {
        endsInSoftmax: true,
        labels: labelsOf(est, groups),
      });
    }
    case 'reg:logistic':
      return emitRegressorOutput(ctx, b.node('Sigmoid', [marginDouble], {}, { hint: 'variable' }), 1);
    case 'count:poisson': {
      // exp in float32, as xgboost's expf: a count's float32 rounding can exceed 1e-6.
      const count = b.node('Exp', [margin], {}, { hint: 'count' });
      return emitRegressorOutput(
        ctx,
        b.node('Cast', [count], { to: { kind: 'int', value: 11 } }, { hint: 'variable' }),
        1,
      );
    }
    default:
      return emitRegressorOutput(ctx, marginDouble, 1);
  }
}
