import type { ConversionContext, Features } from './context.ts';
import { emitClassifierOutputs, emitRegressorOutput, type ModelOutputs } from './outputs.ts';
import { corrupt, type Estimator, numericArray, unsupportedSetting } from './py-access.ts';
import { matrixFor } from './raw-inputs.ts';

/** X @ coef_.T + intercept_ in double: [N,K] (K = rows of coef_). */
function decisionFunction(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): { tensor: string; k: number } {
  const b = ctx.builder;
  const matrix = matrixFor(est, features, ctx);
  const coef = est.array('coef_');
  const k = coef.shape.length === 2 ? coef.shape[0]! : 1;
  const f = coef.shape.length === 2 ? coef.shape[1]! : coef.data.length;
  if (f !== matrix.width)
    throw corrupt(est.name, `it expects ${f} features but the previous step gives ${matrix.width}`);
  const transposed = new Float64Array(f * k);
  for (let row = 0; row < k; row++)
    for (let col = 0; col < f; col++) transposed[col * k + row] = coef.data[row * f + col]!;
  const intercept = numericArray(est.raw('intercept_') ?? 0);
  if (!intercept) throw corrupt(est.name, 'intercept_ is not numeric');
  const bias = intercept.data.length === 1 ? new Float64Array(k).fill(intercept.data[0]!) : intercept.data;
  if (bias.length !== k) throw corrupt(est.name, 'intercept_ does not match coef_');
  const product = b.node('MatMul', [matrix.tensor, b.doubles(transposed, [f, k])], {}, { hint: 'linear' });
  return { tensor: b.node('Add', [product, b.doubles(bias, [1, k])], {}, { hint: 'decision' }), k };
}

/** expit(x) = 1 / (1 + exp(-x)), the formula scipy uses, in double. */
function expit(ctx: ConversionContext, x: string): string {
  const b = ctx.builder;
  const one = b.doubles([1], []);
  return b.node(
    'Div',
    [one, b.node('Add', [one, b.node('Exp', [b.node('Neg', [x])])])],
    {},
    { hint: 'expit' },
  );
}

/** Softmax over classes; onnxruntime subtracts the row max first, as scikit-learn's softmax does. */
function softmax(ctx: ConversionContext, x: string): string {
  return ctx.builder.node('Softmax', [x], { axis: { kind: 'int', value: 1 } }, { hint: 'softmax' });
}

/** Binary: [1 - p, p] from p [N,1]. */
function twoColumns(ctx: ConversionContext, p: string): string {
  const b = ctx.builder;
  return ctx.concat([b.node('Sub', [b.doubles([1], []), p]), p], 'probabilities');
}

/** Rows divided by their sum (one-vs-rest normalisation). */
function normalizeRows(ctx: ConversionContext, p: string): string {
  const b = ctx.builder;
  const sum = b.node('ReduceSum', [p, b.int64s([1])], { keepdims: { kind: 'int', value: 1 } });
  return b.node('Div', [p, sum], {}, { hint: 'probabilities' });
}

/** predict's class index: decision > 0 for one column, argmax otherwise (as LinearClassifierMixin.predict). */
function linearLabelIndex(ctx: ConversionContext, decision: string, k: number): string {
  const b = ctx.builder;
  if (k === 1) {
    const positive = b.node('Greater', [decision, b.doubles([0], [])]);
    const flat = b.node('Reshape', [positive, b.int64s([-1])]);
    return b.node('Cast', [flat], { to: { kind: 'int', value: 7 } }, { hint: 'label_index' });
  }
  return b.node('ArgMax', [decision], {
    axis: { kind: 'int', value: 1 },
    keepdims: { kind: 'int', value: 0 },
  });
}

/** Whether LogisticRegression.predict_proba uses one-vs-rest, across the versions' multi_class values. */
function usesOneVsRest(est: Estimator, classCount: number): boolean {
  const multiClass = est.optionalString('multi_class') ?? 'deprecated';
  if (multiClass === 'ovr' || multiClass === 'warn') return true;
  if (multiClass === 'multinomial') return false;
  // 'auto' (0.22–1.4) and 'deprecated' / absent (1.5+): binary or liblinear means one-vs-rest,
  // and so does newton-cholesky (1.2) until it learned the multinomial loss in 1.6.
  const solver = est.optionalString('solver');
  if (classCount <= 2 || solver === 'liblinear') return true;
  if (solver !== 'newton-cholesky') return false;
  const [major = 0, minor = 0] = (est.optionalString('_sklearn_version') ?? '0.0').split('.').map(Number);
  return major < 1 || (major === 1 && minor < 6);
}

export function convertLogisticRegression(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const { tensor: decision, k } = decisionFunction(est, features, ctx);
  const classCount = k === 1 ? 2 : k;
  let probabilities: string;
  const multinomial = !usesOneVsRest(est, classCount);
  if (multinomial) {
    const scores = k === 1 ? ctx.concat([ctx.builder.node('Neg', [decision]), decision]) : decision;
    probabilities = softmax(ctx, scores);
  } else {
    const p = expit(ctx, decision);
    probabilities = k === 1 ? twoColumns(ctx, p) : normalizeRows(ctx, p);
  }
  ctx.steps.push(est.name);
  return emitClassifierOutputs(ctx, est, probabilities, linearLabelIndex(ctx, decision, k), {
    endsInSoftmax: multinomial,
  });
}

export function convertSgdClassifier(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const b = ctx.builder;
  const loss = est.string('loss', 'hinge');
  const { tensor: decision, k } = decisionFunction(est, features, ctx);
  let probabilities: string;
  if (loss === 'log_loss' || loss === 'log') {
    const p = expit(ctx, decision);
    probabilities = k === 1 ? twoColumns(ctx, p) : normalizeRows(ctx, p);
  } else if (loss === 'modified_huber') {
    const clipped = b.node('Clip', [decision, b.doubles([-1], []), b.doubles([1], [])]);
    const p = b.node('Div', [b.node('Add', [clipped, b.doubles([1], [])]), b.doubles([2], [])]);
    if (k === 1) {
      probabilities = twoColumns(ctx, p);
    } else {
      // Rows where every class clips to 0 get the uniform distribution, as scikit-learn does.
      const sum = b.node('ReduceSum', [p, b.int64s([1])], { keepdims: { kind: 'int', value: 1 } });
      const allZero = b.node('Equal', [sum, b.doubles([0], [])]);
      const safeP = b.node('Where', [allZero, b.doubles([1], []), p]);
      const safeSum = b.node('Where', [allZero, b.doubles([k], []), sum]);
      probabilities = b.node('Div', [safeP, safeSum], {}, { hint: 'probabilities' });
    }
  } else {
    throw unsupportedSetting(
      est.name,
      `loss='${loss}' gives no probabilities; ModelDock converts loss='log_loss' and loss='modified_huber'`,
    );
  }
  ctx.steps.push(est.name);
  return emitClassifierOutputs(ctx, est, probabilities, linearLabelIndex(ctx, decision, k));
}

/** LinearRegression, Ridge, Lasso, ElasticNet: X @ coef_.T + intercept_. */
export function convertLinearRegressor(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): ModelOutputs {
  const { tensor, k } = decisionFunction(est, features, ctx);
  ctx.steps.push(est.name);
  return emitRegressorOutput(ctx, tensor, k);
}
