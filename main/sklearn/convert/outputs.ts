import type { ConversionContext } from './context.ts';
import { type Estimator, type Scalar, scalars } from './py-access.ts';

/** What a converted model reports about its outputs, for the metadata. */
export interface ModelOutputs {
  task: 'classification' | 'regression';
  classLabels?: (string | number)[];
}

/** classes_ as output labels: integers stay int64 (also 0./1. floats and booleans), anything else is text. */
export function classLabels(est: Estimator): { labels: (string | number)[]; type: 'int64' | 'string' } {
  const classes: Scalar[] = scalars(est.required('classes_'), 'classes_', est.name);
  const integral = classes.every(
    (c) => typeof c === 'boolean' || (typeof c === 'number' && Number.isSafeInteger(c)),
  );
  if (integral) return { labels: classes.map((c) => Number(c)), type: 'int64' };
  return { labels: classes.map((c) => String(c)), type: 'string' };
}

/**
 * Declares `probabilities` [N,K] double and `label` [N]. `labelIndex` ([N] int64) is the class
 * position scikit-learn's predict picks; without it, the first most probable class (argmax).
 * `labels` replaces classes_ for models that have none (an xgboost Booster).
 */
export function emitClassifierOutputs(
  ctx: ConversionContext,
  est: Estimator,
  distribution: string,
  labelIndex?: string,
  options: { endsInSoftmax?: boolean; labels?: ReturnType<typeof classLabels> } = {},
): ModelOutputs {
  const b = ctx.builder;
  const { labels, type } = options.labels ?? classLabels(est);
  // Model inspectors recognise a probability output by the Softmax that produces it.
  // Softmax(log P) of a distribution P that already sums to 1 is P again, within a few ulp
  // (far below the 1e-6 parity target); zeros stay 0 and NaN rows stay NaN.
  const probabilities = options.endsInSoftmax
    ? distribution
    : b.node(
        'Softmax',
        [b.node('Log', [distribution])],
        { axis: { kind: 'int', value: 1 } },
        { hint: 'probabilities' },
      );
  // The label comes from the distribution itself, so ties break exactly as in scikit-learn.
  const index =
    labelIndex ??
    b.node('ArgMax', [distribution], {
      axis: { kind: 'int', value: 1 },
      keepdims: { kind: 'int', value: 0 },
    });
  const table =
    type === 'int64'
      ? b.int64s(labels as number[], [labels.length], 'classes')
      : b.constant({ type: 'string', values: labels.map(String) }, [labels.length], 'classes');
  const label = b.node('Gather', [table, index], { axis: { kind: 'int', value: 0 } }, { hint: 'label' });
  b.addOutput('label', label, type, ['N']);
  b.addOutput('probabilities', probabilities, 'double', ['N', labels.length]);
  return { task: 'classification', classLabels: labels };
}

/** Declares `variable` [N,T] double (T = 1 for a single target). */
export function emitRegressorOutput(ctx: ConversionContext, value: string, targets: number): ModelOutputs {
  ctx.builder.addOutput('variable', value, 'double', ['N', targets]);
  return { task: 'regression' };
}
