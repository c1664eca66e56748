import { AppError } from '../../errors.ts';
import { PyObject, PyTuple, type PyValue } from '../pickle/py-values.ts';
import { convertXgboost } from '../xgboost/convert.ts';
import { convertColumnTransformer } from './column-transformer.ts';
import { ConversionContext, type Features } from './context.ts';
import { convertDictVectorizer } from './dict-vectorizer.ts';
import { convertOneHotEncoder, convertOrdinalEncoder } from './encoders.ts';
import { convertGradientBoostingClassifier, convertGradientBoostingRegressor } from './gradient-boosting.ts';
import {
  convertHistGradientBoostingClassifier,
  convertHistGradientBoostingRegressor,
} from './hist-gradient-boosting.ts';
import { convertSimpleImputer } from './imputer.ts';
import { convertLinearRegressor, convertLogisticRegression, convertSgdClassifier } from './linear.ts';
import type { ModelOutputs } from './outputs.ts';
import { corrupt, Estimator, sequence } from './py-access.ts';
import { convertScaler } from './scalers.ts';
import { convertForestClassifier, convertForestRegressor } from './trees.ts';

type TransformerConverter = (est: Estimator, features: Features, ctx: ConversionContext) => Features;
type ModelConverter = (est: Estimator, features: Features, ctx: ConversionContext) => ModelOutputs;

const transformers: Record<string, TransformerConverter> = {
  DictVectorizer: convertDictVectorizer,
  ColumnTransformer: (est, features, ctx) => convertColumnTransformer(est, features, ctx, applyTransformer),
  OneHotEncoder: convertOneHotEncoder,
  OrdinalEncoder: convertOrdinalEncoder,
  StandardScaler: convertScaler,
  MinMaxScaler: convertScaler,
  MaxAbsScaler: convertScaler,
  RobustScaler: convertScaler,
  SimpleImputer: convertSimpleImputer,
};

const models: Record<string, ModelConverter> = {
  LogisticRegression: convertLogisticRegression,
  SGDClassifier: convertSgdClassifier,
  LinearRegression: convertLinearRegressor,
  Ridge: convertLinearRegressor,
  Lasso: convertLinearRegressor,
  ElasticNet: convertLinearRegressor,
  DecisionTreeClassifier: convertForestClassifier,
  RandomForestClassifier: convertForestClassifier,
  ExtraTreesClassifier: convertForestClassifier,
  DecisionTreeRegressor: convertForestRegressor,
  RandomForestRegressor: convertForestRegressor,
  ExtraTreesRegressor: convertForestRegressor,
  GradientBoostingClassifier: convertGradientBoostingClassifier,
  GradientBoostingRegressor: convertGradientBoostingRegressor,
  HistGradientBoostingClassifier: convertHistGradientBoostingClassifier,
  HistGradientBoostingRegressor: convertHistGradientBoostingRegressor,
  XGBClassifier: convertXgboost,
  XGBRegressor: convertXgboost,
  Booster: convertXgboost,
};

const xgboostModels = new Set(['XGBClassifier', 'XGBRegressor', 'Booster']);

/** Every class ModelDock converts, for the refusal message and the README. */
export const supportedClasses = ['Pipeline', ...Object.keys(transformers), ...Object.keys(models)];

/**
 * A legitimate estimator the converter does not cover (yet). Not a security refusal: that stays
 * for globals that are never model data (os.system, builtins.eval). The pickle reader uses this
 * too, for estimator classes it does not load (xgboost.sklearn.XGBRanker).
 */
export function cantConvertYet(className: string): AppError {
  return new AppError(
    'unsupported-model',
    `ModelDock can't convert ${className} yet (supported: ${supportedClasses.join(', ')}).`,
    { className, supported: supportedClasses },
  );
}

const unsupported = cantConvertYet;

function estimatorOf(value: PyValue): Estimator {
  if (!(value instanceof PyObject)) {
    throw new AppError(
      'unsupported-model',
      'This file holds no scikit-learn model: a pipeline step is not an estimator.',
    );
  }
  if (!/^(sklearn|xgboost)\./.test(value.className)) throw unsupported(value.className);
  return new Estimator(value);
}

/** The steps of a Pipeline, a (transformer, model) tuple or list, or a lone estimator; 'passthrough'/None skipped. */
export function flattenSteps(root: PyValue): PyObject[] {
  if (root instanceof PyObject && root.className.endsWith('.Pipeline')) {
    const pipeline = new Estimator(root);
    const steps = sequence(pipeline.required('steps'));
    if (!steps) throw corrupt('Pipeline', 'steps is not a list');
    return steps.flatMap((step) => {
      const pair = step instanceof PyTuple ? step.items : Array.isArray(step) ? step : undefined;
      const object = pair?.[1];
      if (object === undefined) throw corrupt('Pipeline', 'a step is not (name, estimator)');
      if (object === null || object === 'passthrough') return [];
      return flattenSteps(object);
    });
  }
  if (root instanceof PyTuple || Array.isArray(root)) {
    const items = root instanceof PyTuple ? root.items : root;
    if (items.length === 0)
      throw new AppError('unsupported-model', 'This file holds an empty tuple, not a model.');
    return items.flatMap(flattenSteps);
  }
  if (root instanceof PyObject) return [root];
  throw new AppError('unsupported-model', 'This file holds plain data, not a scikit-learn model.');
}

function applyTransformer(object: PyObject, features: Features, ctx: ConversionContext): Features {
  let current = features;
  for (const step of flattenSteps(object)) {
    const est = estimatorOf(step);
    const convert = transformers[est.name];
    if (!convert) throw models[est.name] ? misplacedModel(est.name) : unsupported(step.className);
    current = convert(est, current, ctx);
  }
  return current;
}

function misplacedModel(name: string): AppError {
  return new AppError(
    'unsupported-model',
    `ModelDock cannot convert this pipeline: ${name} is not its last step.`,
  );
}

/** The scikit-learn version the estimators were pickled with (each stores `_sklearn_version`). */
export function sklearnVersionOf(steps: PyObject[]): string | undefined {
  for (const step of steps) {
    const version = step.attributes?.get('_sklearn_version');
    if (typeof version === 'string') return version;
  }
  return undefined;
}

/**
 * A file that ends in a transformer. The course saves `dv.bin` beside `model.bin`; opening the
 * first alone should point to the second, not read like a broken model.
 */
function transformersOnly(names: string[]): AppError {
  const what = names.length === 1 ? `a ${names[0]}` : `transformers (${names.join(' → ')})`;
  return new AppError(
    'unsupported-model',
    `This file holds only ${what}, not a model: open the model file saved beside it (or give both files at once to combine them).`,
    { transformers: names },
  );
}

/**
 * Whether a step hands the next one a scipy sparse matrix without its zeros: a ColumnTransformer
 * whose output was sparse at fit time (sparse_output_), or a OneHotEncoder with sparse output
 * (its default). A DictVectorizer stores the zeros it is given, and is handled by its converter.
 */
function storesNoZeros(est: Estimator): boolean {
  if (est.name === 'ColumnTransformer') return est.boolean('sparse_output_', false);
  if (est.name === 'OneHotEncoder') {
    const output = est.raw('sparse_output');
    if (typeof output === 'boolean') return output;
    const legacy = est.raw('sparse'); // before 1.2 (and 'deprecated' in 1.2–1.3)
    return typeof legacy === 'boolean' ? legacy : true;
  }
  return false;
}

/** Whether a loaded file holds transformers and no model (the `dv.bin` saved beside `model.bin`). */
export function holdsOnlyTransformers(root: PyValue): boolean {
  try {
    const names = flattenSteps(root).map((step) => estimatorOf(step).name);
    return names.every((name) => transformers[name]);
  } catch {
    return false; // not a pipeline at all: let the conversion say what is wrong with it
  }
}

export interface ConvertedGraph {
  ctx: ConversionContext;
  outputs: ModelOutputs;
  inputs: ReturnType<ConversionContext['declareInputs']>;
  sklearnVersion?: string;
}

/** Builds the ONNX graph for a loaded pickle: transformers in order, then the final model. */
export function buildGraph(root: PyValue): ConvertedGraph {
  const steps = flattenSteps(root);
  // Name an unsupported class before complaining about anything else in the file.
  for (const step of steps) {
    const name = estimatorOf(step).name;
    if (!transformers[name] && !models[name]) throw unsupported(step.className);
  }
  const names = steps.map((step) => estimatorOf(step).name);
  if (names.every((name) => transformers[name])) throw transformersOnly(names);
  const ctx = new ConversionContext();
  ctx.sparseAbsentIsMissing = xgboostModels.has(names[names.length - 1]!);
  let features: Features = { kind: 'raw' };
  const last = steps[steps.length - 1]!;
  for (const step of steps.slice(0, -1)) {
    features = applyTransformer(step, features, ctx);
    ctx.unstoredZeros = storesNoZeros(estimatorOf(step));
  }
  const model = estimatorOf(last);
  const convert = models[model.name];
  if (!convert) {
    if (transformers[model.name]) throw misplacedModel(names.find((name) => models[name]) ?? model.name);
    throw unsupported(last.className);
  }
  const outputs = convert(model, features, ctx);
  const inputs = ctx.declareInputs();
  const sklearnVersion = sklearnVersionOf(steps);
  return { ctx, outputs, inputs, ...(sklearnVersion ? { sklearnVersion } : {}) };
}
