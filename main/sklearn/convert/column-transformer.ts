import { NdArray, PyObject, PyTuple, type PyValue } from '../pickle/py-values.ts';
import type { ConversionContext, Features } from './context.ts';
import { corrupt, type Estimator, scalars, sequence, toNumber, unsupportedSetting } from './py-access.ts';

/** Applies a transformer (or a nested Pipeline of transformers) to features. */
export type ApplyTransformer = (object: PyObject, features: Features, ctx: ConversionContext) => Features;

interface Selected {
  names: string[];
  /** Positions in the training data, so graph inputs keep the DataFrame's column order. */
  orders: number[];
}

/** Resolves a fitted column selection (names, indices, a boolean mask or a slice) to feature names. */
function selectColumns(
  est: Estimator,
  selection: PyValue,
  allNames: string[] | undefined,
  count: number,
): Selected {
  const byIndex = (index: number): { name: string; order: number } => {
    const position = index < 0 ? count + index : index;
    return { name: allNames?.[position] ?? `x${position}`, order: position };
  };
  const byName = (name: string): { name: string; order: number } => {
    const order = allNames ? allNames.indexOf(name) : -1;
    return { name, order: order < 0 ? count : order };
  };
  let picked: { name: string; order: number }[];
  if (typeof selection === 'string') {
    picked = [byName(selection)];
  } else if (typeof selection === 'number' || typeof selection === 'bigint') {
    picked = [byIndex(Number(selection))];
  } else if (
    selection !== null &&
    typeof selection === 'object' &&
    'kind' in selection &&
    selection.kind === 'slice'
  ) {
    const start = toNumber(selection.start ?? 0) ?? 0;
    const stop = selection.stop === null ? count : (toNumber(selection.stop) ?? count);
    const step = selection.step === null ? 1 : (toNumber(selection.step) ?? 1);
    picked = [];
    for (let i = start; i < stop; i += step) picked.push(byIndex(i));
  } else if (selection instanceof NdArray && selection.dtype === 'bool') {
    picked = Array.from(selection.data as Uint8Array).flatMap((on, i) => (on ? [byIndex(i)] : []));
  } else {
    const items = scalars(selection, 'a column selection', est.name);
    if (items.every((item) => typeof item === 'boolean') && items.length === count) {
      picked = items.flatMap((on, i) => (on ? [byIndex(i)] : []));
    } else {
      picked = items.map((item) => (typeof item === 'string' ? byName(item) : byIndex(Number(item))));
    }
  }
  return { names: picked.map((p) => p.name), orders: picked.map((p) => p.order) };
}

/**
 * ColumnTransformer: each fitted transformer reads its own columns straight from the graph
 * inputs; outputs are joined in transformers_ order ('drop' and empty selections skipped,
 * 'passthrough' columns taken as numbers), as ColumnTransformer.transform does.
 */
export function convertColumnTransformer(
  est: Estimator,
  features: Features,
  ctx: ConversionContext,
  apply: ApplyTransformer,
): Features {
  if (features.kind !== 'raw')
    throw unsupportedSetting(est.name, 'it must be the first step of the pipeline');
  const allNames = est.has('feature_names_in_')
    ? scalars(est.raw('feature_names_in_'), 'feature_names_in_', est.name).map(String)
    : undefined;
  const count = allNames?.length ?? est.number('n_features_in_');
  const entries = sequence(est.required('transformers_'));
  if (!entries) throw corrupt(est.name, 'transformers_ is not a list');
  const blocks: string[] = [];
  let width = 0;
  // The inner steps are summarised by the ColumnTransformer's own step name.
  const stepsBefore = ctx.steps.length;
  for (const entry of entries) {
    const parts = entry instanceof PyTuple ? entry.items : Array.isArray(entry) ? entry : undefined;
    if (!parts || parts.length < 3)
      throw corrupt(est.name, 'a transformers_ entry is not (name, transformer, columns)');
    const [, transformer, selection] = parts as [PyValue, PyValue, PyValue];
    if (transformer === 'drop') continue;
    const selected = selectColumns(est, selection, allNames, count);
    if (selected.names.length === 0) continue;
    const raw: Features = { kind: 'raw', names: selected.names, orders: selected.orders };
    let out: Features;
    if (transformer === 'passthrough') {
      out = {
        kind: 'columns',
        columns: selected.names.map((name, i) => ({
          tensor: ctx.input(name, 'double', selected.orders[i]),
          type: 'double' as const,
          name,
        })),
      };
    } else if (transformer instanceof PyObject) {
      out = apply(transformer, raw, ctx);
    } else {
      throw unsupportedSetting(
        est.name,
        `the transformer ${JSON.stringify(String(transformer))} is not supported`,
      );
    }
    const matrix = ctx.toMatrix(out, 'the model');
    blocks.push(matrix.tensor);
    width += matrix.width;
  }
  if (blocks.length === 0) throw unsupportedSetting(est.name, 'it drops every column');
  ctx.steps.splice(stepsBefore);
  ctx.steps.push(est.name);
  return { kind: 'matrix', tensor: ctx.concat(blocks, 'column_transformer'), width };
}
