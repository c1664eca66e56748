import type { Column, ConversionContext, Features } from './context.ts';
import { corrupt, type Estimator, scalarOf, sequence, toNumber, unsupportedSetting } from './py-access.ts';
import { columnsFor } from './raw-inputs.ts';

/** Applies a pending text substitution with a Where node (needed only when imputers are chained). */
function materialized(ctx: ConversionContext, column: Column): Column {
  if (!column.substitute) return column;
  const b = ctx.builder;
  const { missing, fill } = column.substitute;
  const isMissing = b.node('Equal', [column.tensor, b.constant({ type: 'string', values: [missing] }, [])]);
  const filled = b.constant({ type: 'string', values: [fill] }, []);
  return {
    tensor: b.node('Where', [isMissing, filled, column.tensor], {}, { hint: 'imputed' }),
    type: column.type,
    name: column.name,
  };
}

/**
 * SimpleImputer. Numeric columns: a missing value (NaN, or the configured number) becomes the
 * fitted statistic; columns whose statistic is NaN are dropped as scikit-learn drops them.
 * Text columns: the empty string (how a missing text value reaches the ONNX graph), or the
 * configured missing string, becomes the fitted text.
 */
export function convertSimpleImputer(est: Estimator, features: Features, ctx: ConversionContext): Features {
  if (est.boolean('add_indicator', false))
    throw unsupportedSetting(est.name, 'add_indicator=True is not supported');
  const b = ctx.builder;
  const statistics = (sequence(est.required('statistics_')) ?? []).map(scalarOf);
  if (statistics.some((s) => s === undefined)) throw corrupt(est.name, 'statistics_ is not readable');
  const missingRaw = est.raw('missing_values');
  const missing = missingRaw === undefined || missingRaw === null ? Number.NaN : scalarOf(missingRaw);
  const keepAll = est.string('strategy', 'mean') === 'constant' || est.boolean('keep_empty_features', false);
  const isText = (index: number) => typeof statistics[index] === 'string';
  const columns: Column[] = columnsFor(est, features, ctx, (index) => (isText(index) ? 'string' : 'double'));
  if (columns.length !== statistics.length) {
    throw corrupt(est.name, `it was fitted on ${statistics.length} columns but receives ${columns.length}`);
  }
  const kept: Column[] = [];
  // A graph input read directly by this imputer: its missing marker (NaN, or "" for text) is imputed
  // as scikit-learn imputes missing_values=NaN, so a payload may leave it out.
  const readsInputs = features.kind === 'raw';
  const markMissing = (column: Column) => {
    if (readsInputs) ctx.acceptsMissing(column.name);
  };
  columns.forEach((column, index) => {
    const statistic = statistics[index];
    if (column.type === 'string') {
      if (typeof statistic !== 'string')
        throw corrupt(est.name, `the text column "${column.name}" has a numeric fill`);
      const missingText = typeof missing === 'string' ? missing : '';
      if (typeof missing !== 'string') markMissing(column);
      kept.push({ ...materialized(ctx, column), substitute: { missing: missingText, fill: statistic } });
      return;
    }
    const value = statistic === null ? Number.NaN : toNumber(statistic as number | boolean);
    if (value === undefined) throw corrupt(est.name, `the numeric column "${column.name}" has a text fill`);
    const missingNumber = typeof missing === 'number' ? missing : Number.NaN;
    if (Number.isNaN(missingNumber)) markMissing(column);
    if (Number.isNaN(value) && !keepAll) return;
    const isMissing = Number.isNaN(missingNumber)
      ? b.node('IsNaN', [column.tensor])
      : b.node('Equal', [column.tensor, b.doubles([missingNumber], [])]);
    kept.push({
      ...column,
      tensor: b.node('Where', [isMissing, b.doubles([value], []), column.tensor], {}, { hint: 'imputed' }),
    });
  });
  ctx.steps.push(est.name);
  return { kind: 'columns', columns: kept };
}
