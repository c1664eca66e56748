import type { Column, ConversionContext, Features } from './context.ts';
import { oneHotStrings } from './dict-vectorizer.ts';
import {
  corrupt,
  type Estimator,
  type Scalar,
  scalars,
  sequence,
  toNumber,
  unsupportedSetting,
} from './py-access.ts';
import { columnsFor } from './raw-inputs.ts';

/** None and NaN categories: the value a missing cell had when the encoder was fitted. */
function isMissingCategory(value: Scalar): boolean {
  return value === null || (typeof value === 'number' && Number.isNaN(value));
}

function categoriesOf(est: Estimator): Scalar[][] {
  const lists = sequence(est.required('categories_'));
  if (!lists) throw corrupt(est.name, 'categories_ is not a list');
  return lists.map((list, index) => scalars(list, `categories_[${index}]`, est.name));
}

function isTextColumn(categories: Scalar[]): boolean {
  return categories.some((c) => typeof c === 'string');
}

/**
 * [N,1] column → [N,C] double indicators, one per fitted category. Text columns use the
 * empty string for a missing value (matching a None/NaN category); numeric ones use NaN.
 */
function indicators(ctx: ConversionContext, column: Column, categories: Scalar[], owner: string): string {
  const b = ctx.builder;
  if (column.type === 'string') {
    const texts = categories.map((c) => (isMissingCategory(c) ? '' : String(c)));
    ctx.setCategories(
      column.name,
      texts.filter((t) => t !== ''),
    );
    const raw = oneHotStrings(ctx, column.tensor, texts);
    if (!column.substitute) return raw;
    // Imputation in indicator space: rows holding the missing text take the fill's indicator row.
    const { missing, fill } = column.substitute;
    const isMissing = b.node(
      'Cast',
      [b.node('Equal', [column.tensor, b.constant({ type: 'string', values: [missing] }, [])])],
      {
        to: { kind: 'int', value: 11 },
      },
    );
    const fillRow = texts.map((t) => (t === fill ? 1 : 0));
    const kept = b.node('Mul', [raw, b.node('Sub', [b.doubles([1], []), isMissing])]);
    return b.node(
      'Add',
      [kept, b.node('Mul', [isMissing, b.doubles(fillRow, [1, texts.length])])],
      {},
      { hint: 'imputed_onehot' },
    );
  }
  const numbers = categories.map((c) => {
    const n = c === null ? Number.NaN : toNumber(c as number | boolean);
    if (n === undefined || typeof c === 'string')
      throw corrupt(owner, 'a numeric column has text categories');
    return n;
  });
  let hits = b.node(
    'Equal',
    [column.tensor, b.doubles(numbers, [1, numbers.length])],
    {},
    { hint: 'is_category' },
  );
  const nanAt = numbers.findIndex((n) => Number.isNaN(n));
  if (nanAt >= 0) {
    const mask = numbers.map((_, i) => i === nanAt);
    const nanHit = b.node('And', [
      b.node('IsNaN', [column.tensor]),
      b.constant({ type: 'bool', values: mask }, [1, mask.length]),
    ]);
    hits = b.node('Or', [hits, nanHit], {}, { hint: 'is_category' });
  }
  return b.node('Cast', [hits], { to: { kind: 'int', value: 11 } }, { hint: 'onehot_double' });
}

function columnType(categories: Scalar[][]) {
  return (index: number) =>
    isTextColumn(categories[index] ?? []) ? ('string' as const) : ('double' as const);
}

/** The drop index of one feature in the grouped (after infrequent grouping) category space, if any. */
function dropIndex(est: Estimator, feature: number): number | undefined {
  // 1.3+ keeps the grouped index separately; before that drop_idx_ was already grouped.
  const source = est.has('_drop_idx_after_grouping')
    ? est.raw('_drop_idx_after_grouping')
    : est.raw('drop_idx_');
  if (source === undefined || source === null) return undefined;
  const items = sequence(source);
  if (!items) throw corrupt(est.name, 'drop_idx_ is not a list');
  const value = items[feature];
  return value === undefined || value === null ? undefined : toNumber(value);
}

/**
 * OneHotEncoder: indicators per category, then a 0/1 matrix that folds infrequent categories
 * into their shared column and removes the dropped one (exact: sums of at most one 1).
 * An unknown value gives zeros, or the infrequent column under handle_unknown='infrequent_if_exist'.
 * With handle_unknown='error' scikit-learn would raise; the ONNX model gives zeros instead.
 */
export function convertOneHotEncoder(est: Estimator, features: Features, ctx: ConversionContext): Features {
  const b = ctx.builder;
  const categories = categoriesOf(est);
  const columns = columnsFor(est, features, ctx, columnType(categories));
  if (columns.length !== categories.length) {
    throw corrupt(est.name, `it was fitted on ${categories.length} columns but receives ${columns.length}`);
  }
  const infrequentEnabled = est.boolean('_infrequent_enabled', false);
  const mappings = infrequentEnabled ? sequence(est.raw('_default_to_infrequent_mappings')) : undefined;
  const handleUnknown = est.string('handle_unknown', 'error');
  const blocks: string[] = [];
  let totalWidth = 0;
  columns.forEach((column, feature) => {
    const cats = categories[feature]!;
    const mappingValue = mappings?.[feature];
    const mapping =
      mappingValue === undefined || mappingValue === null
        ? cats.map((_, i) => i)
        : Array.from(scalars(mappingValue, '_default_to_infrequent_mappings', est.name), Number);
    // reduce, not Math.max(...mapping): a crafted file's long mapping would overflow the call stack.
    const groups = mapping.reduce((max, g) => Math.max(max, g), Number.NEGATIVE_INFINITY) + 1;
    const hasInfrequent = mappingValue !== undefined && mappingValue !== null;
    const drop = dropIndex(est, feature);
    const outputOf = new Map<number, number>();
    for (let g = 0; g < groups; g++) if (g !== drop) outputOf.set(g, outputOf.size);
    const width = outputOf.size;
    if (width === 0) return;
    totalWidth += width;
    const ind = indicators(ctx, column, cats, est.name);
    const unknownGroup = handleUnknown === 'infrequent_if_exist' && hasInfrequent ? groups - 1 : undefined;
    const unknownOutput = unknownGroup === undefined ? undefined : outputOf.get(unknownGroup);
    const identity = width === cats.length && mapping.every((g, i) => outputOf.get(g) === i);
    let block = ind;
    if (!identity) {
      const fold = new Float64Array(cats.length * width);
      mapping.forEach((g, c) => {
        const out = outputOf.get(g);
        if (out !== undefined) fold[c * width + out] = 1;
      });
      block = b.node('MatMul', [ind, b.doubles(fold, [cats.length, width])], {}, { hint: 'onehot_grouped' });
    }
    if (unknownOutput !== undefined) {
      const seen = b.node('ReduceSum', [ind, b.int64s([1])], { keepdims: { kind: 'int', value: 1 } });
      const unseen = b.node('Sub', [b.doubles([1], []), seen], {}, { hint: 'unknown' });
      const place = new Float64Array(width);
      place[unknownOutput] = 1;
      block = b.node(
        'Add',
        [block, b.node('Mul', [unseen, b.doubles(place, [1, width])])],
        {},
        { hint: 'onehot' },
      );
    }
    blocks.push(block);
  });
  if (blocks.length === 0) throw corrupt(est.name, 'it produces no columns');
  ctx.steps.push(est.name);
  const tensor = ctx.concat(blocks, 'onehot_all');
  return { kind: 'matrix', tensor, width: totalWidth };
}

/**
 * OrdinalEncoder: the index of the category (as double). Unknown values give unknown_value
 * (handle_unknown='use_encoded_value') or NaN where scikit-learn would raise; a missing value
 * (empty text / NaN) fitted as a category gives encoded_missing_value.
 */
export function convertOrdinalEncoder(est: Estimator, features: Features, ctx: ConversionContext): Features {
  const b = ctx.builder;
  if (est.boolean('_infrequent_enabled', false)) {
    throw unsupportedSetting(
      est.name,
      'infrequent categories (min_frequency / max_categories) are not supported',
    );
  }
  const categories = categoriesOf(est);
  const columns = columnsFor(est, features, ctx, columnType(categories));
  if (columns.length !== categories.length) {
    throw corrupt(est.name, `it was fitted on ${categories.length} columns but receives ${columns.length}`);
  }
  const unknownValue =
    est.string('handle_unknown', 'error') === 'use_encoded_value'
      ? est.number('unknown_value', Number.NaN)
      : Number.NaN;
  const missingValue = est.has('encoded_missing_value')
    ? est.number('encoded_missing_value', Number.NaN)
    : undefined;
  const blocks = columns.map((column, feature) => {
    const cats = categories[feature]!;
    const ind = indicators(ctx, column, cats, est.name);
    const positions = cats.map((_, i) => i);
    const missingAt = cats.findIndex(isMissingCategory);
    if (missingAt >= 0 && missingValue !== undefined) positions[missingAt] = Number.NaN;
    const finite = positions.map((p) => (Number.isNaN(p) ? 0 : p));
    let code = b.node('MatMul', [ind, b.doubles(finite, [cats.length, 1])], {}, { hint: 'ordinal' });
    const seen = b.node('ReduceSum', [ind, b.int64s([1])], { keepdims: { kind: 'int', value: 1 } });
    const unseen = b.node('Equal', [seen, b.doubles([0], [])]);
    code = b.node('Where', [unseen, b.doubles([unknownValue], []), code], {}, { hint: 'ordinal' });
    if (missingAt >= 0 && missingValue !== undefined) {
      const onMissing = b.node('Gather', [ind, b.int64s([missingAt])], { axis: { kind: 'int', value: 1 } });
      const isMissing = b.node('Equal', [onMissing, b.doubles([1], [])]);
      code = b.node('Where', [isMissing, b.doubles([missingValue], []), code], {}, { hint: 'ordinal' });
    }
    return code;
  });
  ctx.steps.push(est.name);
  return { kind: 'matrix', tensor: ctx.concat(blocks, 'ordinal_all'), width: blocks.length };
}
