import { PyDict } from '../pickle/py-values.ts';
import type { ConversionContext, Features } from './context.ts';
import { corrupt, dtypeName, type Estimator, scalars, toNumber, unsupportedSetting } from './py-access.ts';

interface DictFeature {
  key: string;
  /** undefined for a numeric key; the category for a `key=value` feature. */
  category?: string;
  index: number;
}

/** The vectorizer's output columns in output order, read from vocabulary_ (or feature_names_). */
function dictFeatures(dv: Estimator): DictFeature[] {
  const separator = dv.string('separator', '=');
  const names = dv.has('feature_names_')
    ? scalars(dv.raw('feature_names_'), 'feature_names_', dv.name)
    : undefined;
  const vocabulary = dv.raw('vocabulary_');
  const indexed: { name: string; index: number }[] = [];
  if (vocabulary instanceof PyDict) {
    for (const [name, index] of vocabulary.entries) {
      const position = toNumber(index);
      if (typeof name !== 'string' || position === undefined)
        throw corrupt(dv.name, 'vocabulary_ is malformed');
      indexed.push({ name, index: position });
    }
  } else if (names) {
    names.forEach((name, index) => {
      indexed.push({ name: String(name), index });
    });
  } else {
    throw corrupt(dv.name, 'it has neither vocabulary_ nor feature_names_');
  }
  return indexed.map(({ name, index }) => {
    const at = name.indexOf(separator);
    return at < 0
      ? { key: name, index }
      : { key: name.slice(0, at), category: name.slice(at + separator.length), index };
  });
}

/**
 * DictVectorizer: one graph input per dict key. A numeric key becomes a double input whose
 * NaN (the key was missing) counts as 0; a `key=value` family becomes one string input
 * one-hot encoded over the known values, so an unknown or empty value contributes nothing —
 * exactly what DictVectorizer.transform does with a missing key or an unseen value.
 */
export function convertDictVectorizer(dv: Estimator, features: Features, ctx: ConversionContext): Features {
  if (features.kind !== 'raw') throw unsupportedSetting(dv.name, 'it must be the first step of the pipeline');
  const all = dictFeatures(dv);
  const keys = new Map<string, DictFeature[]>();
  for (const feature of all) {
    const group = keys.get(feature.key) ?? [];
    group.push(feature);
    keys.set(feature.key, group);
  }
  const b = ctx.builder;
  const blocks: string[] = [];
  /** For each block column, the output index it belongs to. */
  const blockIndices: number[] = [];
  const zero = b.doubles([0], []);
  // DictVectorizer(sparse=True) stores only the keys a row has (and the one category it takes);
  // xgboost reads every entry not stored as missing (NaN), not as 0.
  const absentIsNaN = ctx.sparseAbsentIsMissing && dv.boolean('sparse', true);
  for (const [key, group] of keys) {
    const numeric = group.filter((f) => f.category === undefined);
    const categorical = group.filter((f) => f.category !== undefined);
    if (numeric.length > 0 && categorical.length > 0) {
      throw unsupportedSetting(dv.name, `the key "${key}" held numbers and text in the training data`);
    }
    if (numeric.length > 0) {
      const input = ctx.input(key, 'double');
      ctx.acceptsMissing(key); // NaN → 0, what transform does with an absent key
      blocks.push(
        absentIsNaN ? input : b.node('Where', [b.node('IsNaN', [input]), zero, input], {}, { hint: key }),
      );
      blockIndices.push(numeric[0]!.index);
      continue;
    }
    const categories = categorical.map((f) => f.category!);
    const input = ctx.input(key, 'string');
    // "" matches no category, so it contributes nothing, as an absent key does; unless "" was a
    // value in the training data, where it means that value.
    if (!categories.includes('')) ctx.acceptsMissing(key);
    ctx.setCategories(key, categories);
    const indicators = oneHotStrings(ctx, input, categories);
    blocks.push(
      absentIsNaN
        ? b.node(
            'Where',
            [b.node('Equal', [indicators, b.doubles([1], [])]), indicators, b.doubles([Number.NaN], [])],
            {},
            { hint: `${key}_stored` },
          )
        : indicators,
    );
    for (const f of categorical) blockIndices.push(f.index);
  }
  if (blocks.length === 0) throw corrupt(dv.name, 'it has no features');
  const joined = ctx.concat(blocks, 'dict_features');
  // Put every column at the index the vectorizer gave it (its sorted feature order).
  const permutation = new Array<number>(blockIndices.length);
  blockIndices.forEach((outputIndex, blockPosition) => {
    permutation[outputIndex] = blockPosition;
  });
  if (permutation.some((p) => p === undefined)) throw corrupt(dv.name, 'vocabulary_ indices are not 0..n-1');
  const isIdentity = permutation.every((p, i) => p === i);
  const tensor = isIdentity
    ? joined
    : b.node(
        'Gather',
        [joined, b.int64s(permutation)],
        { axis: { kind: 'int', value: 1 } },
        { hint: 'dict_ordered' },
      );
  ctx.steps.push(dv.name);
  // DictVectorizer(dtype=np.float32) hands the model float32 values: round them the same way.
  if (dtypeName(dv.raw('dtype'))?.includes('float32')) {
    const asFloat = b.node('Cast', [tensor], { to: { kind: 'int', value: 1 } }, { hint: 'dict_float32' });
    const rounded = b.node('Cast', [asFloat], { to: { kind: 'int', value: 11 } }, { hint: 'dict_rounded' });
    return { kind: 'matrix', tensor: rounded, width: permutation.length };
  }
  return { kind: 'matrix', tensor, width: permutation.length };
}

/**
 * [N,1] string → [N,C] double indicator columns through ai.onnx.ml OneHotEncoder (whose
 * cats_strings let inspectors list the categories); unknown strings give all zeros.
 */
export function oneHotStrings(ctx: ConversionContext, input: string, categories: readonly string[]): string {
  const b = ctx.builder;
  const encoded = b.node(
    'OneHotEncoder',
    [input],
    { cats_strings: { kind: 'strings', value: categories }, zeros: { kind: 'int', value: 1 } },
    { domain: 'ai.onnx.ml', hint: 'onehot' },
  );
  const flat = b.node('Reshape', [encoded, b.int64s([-1, categories.length])], {}, { hint: 'onehot_2d' });
  return b.node('Cast', [flat], { to: { kind: 'int', value: 11 } }, { hint: 'onehot_double' });
}
