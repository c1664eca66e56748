import { PyObject } from '../pickle/py-values.ts';
import type { ConversionContext, Features } from './context.ts';
import { emitClassifierOutputs, emitRegressorOutput, type ModelOutputs } from './outputs.ts';
import { corrupt, Estimator, numericArray, sequence, unsupportedSetting } from './py-access.ts';
import { matrixFor } from './raw-inputs.ts';
import { readTree, treeEnsemble, type WeightedTree } from './trees.ts';

/** The stage trees (estimators_ is an (n_estimators, K) object array of DecisionTreeRegressor). */
function stageTrees(est: Estimator, columns: number): WeightedTree[][] {
  const stages = est.required('estimators_');
  const flat = sequence(stages);
  if (!flat || flat.length === 0) throw corrupt(est.name, 'estimators_ is empty');
  if (flat.length % columns !== 0) throw corrupt(est.name, 'estimators_ has an unexpected shape');
  const rate = est.number('learning_rate', 0.1);
  const perColumn: WeightedTree[][] = Array.from({ length: columns }, () => []);
  flat.forEach((member, index) => {
    if (!(member instanceof PyObject))
      throw corrupt(est.name, 'estimators_ holds something that is not a tree');
    const tree = readTree(new Estimator(member).raw('tree_'), est.name);
    // predict_stages adds learning_rate * leaf value, computed in double.
    perColumn[index % columns]!.push({
      tree,
      target: index % columns,
      leafWeight: (node) => rate * tree.values[node]!,
    });
  });
  return perColumn;
}

/** Σ learning_rate × leaf value over the stages, one column per class tree: [N, columns]. */
function stagesSum(est: Estimator, features: Features, ctx: ConversionContext, columns: number): string {
  const matrix = matrixFor(est, features, ctx);
  return treeEnsemble(ctx, matrix.tensor, matrix.width, stageTrees(est, columns).flat(), columns);
}

/**
 * A DummyClassifier(strategy='prior') init's class_prior_, clipped to [eps, 1 - eps] with
 * float32's eps as the losses' start clips it (the only init ModelDock converts for classifiers).
 */
function clippedClassPrior(est: Estimator, dummy: Estimator, classes: number): Float64Array {
  if (dummy.name !== 'DummyClassifier' || dummy.string('strategy', 'prior') !== 'prior') {
    throw unsupportedSetting(est.name, 'only the default (prior) init is supported');
  }
  const prior = numericArray(dummy.required('class_prior_'));
  if (prior?.data.length !== classes) {
    const expected = classes === 2 ? 'is not two probabilities' : 'does not match the classes';
    throw corrupt(est.name, `init_.class_prior_ ${expected}`);
  }
  const eps = 2 ** -23; // np.finfo(np.float32).eps
  return prior.data.map((p) => Math.min(Math.max(p, eps), 1 - eps));
}

/** The raw prediction of init_ (a prior DummyClassifier / DummyRegressor, or 'zero'). */
function initialRaw(est: Estimator, kind: 'binary' | 'regression', exponential: boolean): number {
  const init = est.raw('init_');
  if (init === 'zero') return 0;
  if (!(init instanceof PyObject)) throw corrupt(est.name, 'init_ is missing');
  const dummy = new Estimator(init);
  if (kind === 'regression') {
    if (dummy.name !== 'DummyRegressor')
      throw unsupportedSetting(est.name, `init=${dummy.name} is not supported`);
    const constant = numericArray(dummy.required('constant_'));
    if (constant?.data.length !== 1) throw corrupt(est.name, 'init_.constant_ is not one number');
    return constant.data[0]!;
  }
  // The log-odds of the clipped prior, as the binomial (and exponential, halved) loss start.
  const p = clippedClassPrior(est, dummy, 2)[1]!;
  const logOdds = Math.log(p / (1 - p));
  return exponential ? 0.5 * logOdds : logOdds;
}

/**
 * Multiclass (multinomial deviance): one tree per class per stage, started from the log of the
 * clipped class priors, then softmax. (1.3+ centres the start, which softmax ignores.)
 */
function convertMulticlass(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
  k: number,
): ModelOutputs {
  const b = ctx.builder;
  const loss = est.string('loss', 'log_loss');
  if (!['log_loss', 'deviance'].includes(loss)) throw unsupportedSetting(est.name, `loss='${loss}'`);
  const init = est.raw('init_');
  let start = new Float64Array(k);
  if (init !== 'zero') {
    if (!(init instanceof PyObject)) throw corrupt(est.name, 'init_ is missing');
    start = clippedClassPrior(est, new Estimator(init), k).map(Math.log);
  }
  const sum = stagesSum(est, features, ctx, k);
  const raw = b.node('Add', [sum, b.doubles(start, [1, k])], {}, { hint: 'raw' });
  const probabilities = b.node(
    'Softmax',
    [raw],
    { axis: { kind: 'int', value: 1 } },
    { hint: 'probabilities' },
  );
  ctx.steps.push(est.name);
  return emitClassifierOutputs(ctx, est, probabilities, undefined, { endsInSoftmax: true });
}

export function convertGradientBoostingClassifier(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const b = ctx.builder;
  const classes = sequence(est.required('classes_'));
  if (!classes || classes.length < 2) throw corrupt(est.name, 'classes_ has fewer than two classes');
  if (classes.length > 2) return convertMulticlass(est, features, ctx, classes.length);
  const loss = est.string('loss', 'log_loss');
  if (!['log_loss', 'deviance', 'exponential'].includes(loss))
    throw unsupportedSetting(est.name, `loss='${loss}'`);
  const exponential = loss === 'exponential';
  const sum = stagesSum(est, features, ctx, 1);
  let raw = b.node(
    'Add',
    [sum, b.doubles([initialRaw(est, 'binary', exponential)], [])],
    {},
    { hint: 'raw' },
  );
  if (exponential) raw = b.node('Mul', [raw, b.doubles([2], [])]);
  const one = b.doubles([1], []);
  const p = b.node(
    'Div',
    [one, b.node('Add', [one, b.node('Exp', [b.node('Neg', [raw])])])],
    {},
    { hint: 'expit' },
  );
  const probabilities = ctx.concat([b.node('Sub', [one, p]), p], 'probabilities');
  ctx.steps.push(est.name);
  return emitClassifierOutputs(ctx, est, probabilities);
}

export function convertGradientBoostingRegressor(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const b = ctx.builder;
  const sum = stagesSum(est, features, ctx, 1);
  const value = b.node(
    'Add',
    [sum, b.doubles([initialRaw(est, 'regression', false)], [])],
    {},
    { hint: 'variable' },
  );
  ctx.steps.push(est.name);
  return emitRegressorOutput(ctx, value, 1);
}
