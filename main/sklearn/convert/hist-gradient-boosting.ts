import { NdRecordArray, PyObject } from '../pickle/py-values.ts';
import type { ConversionContext, Features } from './context.ts';
import { emitClassifierOutputs, emitRegressorOutput, type ModelOutputs } from './outputs.ts';
import {
  corrupt,
  Estimator,
  numericArray,
  sequence,
  shortClassName,
  unsupportedSetting,
} from './py-access.ts';
import { matrixFor } from './raw-inputs.ts';
import { nodeField, type TreeArrays, treeEnsemble, type WeightedTree } from './trees.ts';

/** One TreePredictor's nodes as TreeArrays (leaves get left = -1; the leaf value is `value`). */
function readPredictor(predictor: unknown, owner: string): TreeArrays {
  if (!(predictor instanceof PyObject))
    throw corrupt(owner, '_predictors holds something that is not a tree');
  const nodes = new Estimator(predictor).raw('nodes');
  if (!(nodes instanceof NdRecordArray)) throw corrupt(owner, 'the tree nodes are not a record array');
  const isLeaf = nodeField(nodes, 'is_leaf', owner);
  const categorical = nodes.fields.is_categorical ? nodeField(nodes, 'is_categorical', owner) : undefined;
  if (categorical?.some((flag, node) => flag !== 0 && isLeaf[node] === 0)) {
    throw unsupportedSetting(owner, 'categorical splits (categorical_features) are not supported');
  }
  const left = nodeField(nodes, 'left', owner);
  return {
    nodeCount: nodes.size,
    left: Int32Array.from(left, (child, node) => (isLeaf[node] ? -1 : child)),
    right: Int32Array.from(nodeField(nodes, 'right', owner)),
    feature: Int32Array.from(nodeField(nodes, 'feature_idx', owner)),
    threshold: nodeField(nodes, 'num_threshold', owner),
    missingGoesLeft: Uint8Array.from(nodeField(nodes, 'missing_go_to_left', owner)),
    values: nodeField(nodes, 'value', owner),
    classesPerOutput: 1,
  };
}

/**
 * raw = _baseline_prediction + Σ leaf values (already scaled by the learning rate), one
 * ensemble target per tree of an iteration. Features are compared in float64, NaN follows
 * missing_go_to_left, as HistGradientBoosting's predictor does. Returns [N, K] raw scores.
 */
function rawPrediction(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): { raw: string; k: number } {
  const b = ctx.builder;
  const preprocessor = est.raw('_preprocessor');
  if (preprocessor !== undefined && preprocessor !== null) {
    throw unsupportedSetting(
      est.name,
      'categorical features read from the DataFrame dtypes are not supported',
    );
  }
  const matrix = matrixFor(est, features, ctx);
  const iterations = sequence(est.required('_predictors'));
  if (!iterations || iterations.length === 0) throw corrupt(est.name, '_predictors is empty');
  const baseline = numericArray(est.required('_baseline_prediction'));
  if (!baseline) throw corrupt(est.name, '_baseline_prediction is not numeric');
  const k = baseline.data.length;
  const trees: WeightedTree[] = [];
  for (const iteration of iterations) {
    const predictors = sequence(iteration);
    if (!predictors || predictors.length !== k)
      throw corrupt(est.name, 'an iteration has the wrong number of trees');
    predictors.forEach((predictor, target) => {
      const tree = readPredictor(predictor, est.name);
      trees.push({ tree, target, leafWeight: (node) => tree.values[node]! });
    });
  }
  const sum = treeEnsemble(ctx, matrix.tensor, matrix.width, trees, k, { float32Features: false });
  const raw = b.node('Add', [sum, b.doubles(baseline.data, [1, k])], {}, { hint: 'raw' });
  return { raw, k };
}

/** The link of the fitted loss: identity or log (regressors), from _loss.link's class. */
function linkName(est: Estimator): string {
  const loss = est.raw('_loss');
  if (!(loss instanceof PyObject)) return 'IdentityLink';
  const link = new Estimator(loss).raw('link');
  return link instanceof PyObject ? shortClassName(link.className) : 'IdentityLink';
}

export function convertHistGradientBoostingClassifier(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const b = ctx.builder;
  const { raw, k } = rawPrediction(est, features, ctx);
  ctx.steps.push(est.name);
  if (k === 1) {
    // Binary: proba[:, 1] = expit(raw), proba[:, 0] = 1 - proba[:, 1].
    const one = b.doubles([1], []);
    const p = b.node('Div', [one, b.node('Add', [one, b.node('Exp', [b.node('Neg', [raw])])])]);
    return emitClassifierOutputs(ctx, est, ctx.concat([b.node('Sub', [one, p]), p], 'probabilities'));
  }
  const probabilities = b.node(
    'Softmax',
    [raw],
    { axis: { kind: 'int', value: 1 } },
    { hint: 'probabilities' },
  );
  return emitClassifierOutputs(ctx, est, probabilities, undefined, { endsInSoftmax: true });
}

export function convertHistGradientBoostingRegressor(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const { raw } = rawPrediction(est, features, ctx);
  const link = linkName(est);
  if (link !== 'IdentityLink' && link !== 'LogLink') throw unsupportedSetting(est.name, `the ${link} link`);
  const value = link === 'LogLink' ? ctx.builder.node('Exp', [raw], {}, { hint: 'variable' }) : raw;
  ctx.steps.push(est.name);
  return emitRegressorOutput(ctx, value, 1);
}
