import type { Column, ConversionContext, Features, InputType } from './context.ts';
import { corrupt, type Estimator, numericArray, scalars, sequence } from './py-access.ts';

/** The names a step was fitted with: feature_names_in_ (DataFrame columns) or x0, x1, … */
export function fittedFeatureNames(est: Estimator): string[] {
  if (est.has('feature_names_in_'))
    return scalars(est.raw('feature_names_in_'), 'feature_names_in_', est.name).map(String);
  const count = est.has('n_features_in_') ? est.number('n_features_in_') : featureCountBefore024(est);
  if (!Number.isInteger(count) || count < 1)
    throw corrupt(est.name, 'it does not record how many features it takes');
  return Array.from({ length: count }, (_, index) => `x${index}`);
}

/**
 * The columns a column-wise step works on: graph inputs (one per fitted feature, typed by
 * `typeOf`) when it is the first step, otherwise the columns of the previous step.
 */
export function columnsFor(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
  typeOf: (index: number) => InputType,
): Column[] {
  if (features.kind === 'raw') {
    const names = features.names ?? fittedFeatureNames(est);
    return names.map((name, index) => {
      const type = typeOf(index);
      return { tensor: ctx.input(name, type, features.orders?.[index] ?? index), type, name };
    });
  }
  return ctx.toColumns(features, (index) => `column ${index}`);
}

/** The [N,F] double matrix a numeric step works on, creating numeric graph inputs when it is the first step. */
export function matrixFor(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
): { tensor: string; width: number } {
  const ready =
    features.kind === 'raw'
      ? { kind: 'columns' as const, columns: columnsFor(est, features, ctx, () => 'double') }
      : features;
  return ctx.toMatrix(ready, est.name);
}

/** Estimators pickled before scikit-learn 0.24 have no n_features_in_: infer it from fitted arrays. */
function featureCountBefore024(est: Estimator): number {
  if (est.has('n_features_')) return est.number('n_features_');
  for (const key of ['coef_', 'scale_', 'mean_', 'center_', 'min_', 'statistics_']) {
    const value = est.raw(key);
    const array = value === undefined || value === null ? undefined : numericArray(value);
    if (array && array.shape.length > 0) return array.shape[array.shape.length - 1]!;
  }
  const categories = sequence(est.raw('categories_'));
  return categories ? categories.length : Number.NaN;
}
