import type { ConversionContext, Features } from './context.ts';
import { corrupt, type Estimator, numericArray } from './py-access.ts';
import { matrixFor } from './raw-inputs.ts';

/** A per-feature vector attribute, or undefined when scikit-learn stored None (the step is skipped). */
function optionalVector(est: Estimator, key: string, width: number): Float64Array | undefined {
  const value = est.raw(key);
  if (value === undefined || value === null) return undefined;
  const array = numericArray(value);
  if (!array) throw corrupt(est.name, `${key} is not numeric`);
  if (array.data.length === 1 && width > 1) return new Float64Array(width).fill(array.data[0]!);
  if (array.data.length !== width)
    throw corrupt(est.name, `${key} has ${array.data.length} values for ${width} features`);
  return array.data;
}

/**
 * The scalers apply the same double operations scikit-learn does, in the same order
 * (X -= mean; X /= scale …), so results match bit for bit.
 */
export function convertScaler(est: Estimator, features: Features, ctx: ConversionContext): Features {
  const b = ctx.builder;
  const matrix = matrixFor(est, features, ctx);
  const width = matrix.width;
  const vector = (values: Float64Array) => b.doubles(values, [1, width]);
  let x = matrix.tensor;
  switch (est.name) {
    case 'StandardScaler': {
      const mean = est.boolean('with_mean', true) ? optionalVector(est, 'mean_', width) : undefined;
      const scale = est.boolean('with_std', true) ? optionalVector(est, 'scale_', width) : undefined;
      if (mean) x = b.node('Sub', [x, vector(mean)], {}, { hint: 'centered' });
      if (scale) x = b.node('Div', [x, vector(scale)], {}, { hint: 'scaled' });
      break;
    }
    case 'RobustScaler': {
      const center = optionalVector(est, 'center_', width);
      const scale = optionalVector(est, 'scale_', width);
      if (center) x = b.node('Sub', [x, vector(center)], {}, { hint: 'centered' });
      if (scale) x = b.node('Div', [x, vector(scale)], {}, { hint: 'scaled' });
      break;
    }
    case 'MaxAbsScaler': {
      const scale = optionalVector(est, 'scale_', width);
      if (!scale) throw corrupt(est.name, 'scale_ is missing');
      x = b.node('Div', [x, vector(scale)], {}, { hint: 'scaled' });
      break;
    }
    case 'MinMaxScaler': {
      const scale = optionalVector(est, 'scale_', width);
      const min = optionalVector(est, 'min_', width);
      if (!scale || !min) throw corrupt(est.name, 'scale_ or min_ is missing');
      x = b.node('Add', [b.node('Mul', [x, vector(scale)]), vector(min)], {}, { hint: 'scaled' });
      if (est.boolean('clip', false)) {
        const range = numericArray(est.required('feature_range'));
        if (range?.data.length !== 2) throw corrupt(est.name, 'feature_range is not a pair');
        x = b.node(
          'Clip',
          [x, b.doubles([range.data[0]!], []), b.doubles([range.data[1]!], [])],
          {},
          { hint: 'clipped' },
        );
      }
      break;
    }
    default:
      throw corrupt(est.name, 'not a scaler');
  }
  ctx.steps.push(est.name);
  return { kind: 'matrix', tensor: x, width };
}
