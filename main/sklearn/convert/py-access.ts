import { AppError } from '../../errors.ts';
import {
  NdArray,
  NpScalar,
  type PyDict,
  PyGlobalRef,
  PyObject,
  PyTuple,
  type PyValue,
} from '../pickle/py-values.ts';

/** The part of a qualified class name after the last dot ("LogisticRegression"). */
export function shortClassName(className: string): string {
  return className.slice(className.lastIndexOf('.') + 1);
}

/** A fitted attribute the converter needs is missing or has a shape it cannot read. */
export function corrupt(estimator: string, detail: string): AppError {
  return new AppError(
    'corrupt-model',
    `The ${estimator} in this file is not a fitted model ModelDock can read: ${detail}.`,
  );
}

/** A setting ModelDock does not reproduce in ONNX. */
export function unsupportedSetting(estimator: string, detail: string): AppError {
  return new AppError('unsupported-model', `ModelDock cannot convert this ${estimator}: ${detail}.`);
}

/** Reads the fitted attributes of one scikit-learn estimator from its pickled state. */
export class Estimator {
  readonly name: string;
  private readonly attributes: PyDict;

  constructor(readonly object: PyObject) {
    this.name = shortClassName(object.className);
    const attributes = object.attributes;
    if (!attributes) throw corrupt(this.name, 'its attributes are missing');
    this.attributes = attributes;
  }

  has(key: string): boolean {
    return this.attributes.entries.has(key);
  }

  raw(key: string): PyValue | undefined {
    return this.attributes.entries.get(key);
  }

  required(key: string): PyValue {
    const value = this.attributes.entries.get(key);
    if (value === undefined) throw corrupt(this.name, `it has no ${key} (was it fitted?)`);
    return value;
  }

  string(key: string, fallback?: string): string {
    const value = this.raw(key);
    if (typeof value === 'string') return value;
    if (value === undefined && fallback !== undefined) return fallback;
    throw corrupt(this.name, `${key} is not text`);
  }

  /** Like string() but null and a missing key give undefined. */
  optionalString(key: string): string | undefined {
    const value = this.raw(key);
    return typeof value === 'string' ? value : undefined;
  }

  number(key: string, fallback?: number): number {
    const value = this.raw(key);
    if (value === undefined && fallback !== undefined) return fallback;
    const n = value === undefined ? undefined : toNumber(value);
    if (n === undefined) throw corrupt(this.name, `${key} is not a number`);
    return n;
  }

  boolean(key: string, fallback: boolean): boolean {
    const value = this.raw(key);
    if (value === undefined || value === null) return fallback;
    if (typeof value === 'boolean') return value;
    const n = toNumber(value);
    return n === undefined ? fallback : n !== 0;
  }

  /** A numeric array attribute, flattened, with its shape. */
  array(key: string): { data: Float64Array; shape: number[] } {
    const result = numericArray(this.required(key));
    if (!result) throw corrupt(this.name, `${key} is not a numeric array`);
    return result;
  }
}

export function toNumber(value: PyValue): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof NpScalar)
    return typeof value.value === 'bigint' ? Number(value.value) : Number(value.value);
  if (value instanceof NdArray && value.size === 1) return numericArray(value)?.data[0];
  return undefined;
}

/** A numpy array, scalar, or (nested) list of numbers as float64 with its shape. */
export function numericArray(value: PyValue): { data: Float64Array; shape: number[] } | undefined {
  if (value instanceof NdArray) {
    if (value.dtype === 'object') {
      const items = value.data as PyValue[];
      const numbers = items.map(toNumber);
      if (numbers.some((n) => n === undefined)) return undefined;
      return { data: Float64Array.from(numbers as number[]), shape: [...value.shape] };
    }
    const data = value.data;
    if (data instanceof BigInt64Array || data instanceof BigUint64Array)
      return { data: Float64Array.from(data, (v) => Number(v)), shape: [...value.shape] };
    return { data: Float64Array.from(data as ArrayLike<number>), shape: [...value.shape] };
  }
  const scalar = typeof value === 'number' || typeof value === 'bigint' || value instanceof NpScalar;
  if (scalar) {
    const n = toNumber(value);
    return n === undefined ? undefined : { data: Float64Array.of(n), shape: [] };
  }
  if (Array.isArray(value) || value instanceof PyTuple) {
    const items = Array.isArray(value) ? value : value.items;
    const parts = items.map(numericArray);
    if (parts.some((p) => p === undefined)) return undefined;
    const inner = parts[0]?.shape ?? [];
    const flat = parts.flatMap((p) => Array.from(p!.data));
    return { data: Float64Array.from(flat), shape: [items.length, ...inner] };
  }
  return undefined;
}

/** The items of a list, tuple or 1-d object/str array. */
export function sequence(value: PyValue | undefined): PyValue[] | undefined {
  if (Array.isArray(value)) return value;
  if (value instanceof PyTuple) return value.items;
  if (value instanceof NdArray) {
    if (value.dtype === 'object') return value.data as PyValue[];
    return Array.from(value.data as ArrayLike<number | bigint>);
  }
  if (value instanceof PyObject) {
    // List-like scikit-learn helpers, e.g. ColumnTransformer's _RemainderColsList (1.5+):
    // a list subclass (items appended to the object) or a UserList (items in `data`).
    if (value.listItems) return value.listItems;
    const data = value.attributes?.get('data');
    if (Array.isArray(data)) return data;
  }
  return undefined;
}

/** A class label or category as scikit-learn stored it. */
export type Scalar = string | number | boolean | null;

export function scalarOf(value: PyValue): Scalar | undefined {
  if (typeof value === 'string' || typeof value === 'boolean' || value === null) return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  const n = toNumber(value);
  return n;
}

/** Values of a 1-d array or list as scalars (strings, numbers, booleans or null for None). */
export function scalars(value: PyValue | undefined, what: string, owner: string): Scalar[] {
  if (value instanceof NdArray && value.dtype === 'bool') {
    return Array.from(value.data as Uint8Array, (v) => v !== 0);
  }
  const items = sequence(value);
  if (!items) throw corrupt(owner, `${what} is not a list`);
  return items.map((item) => {
    const scalar = scalarOf(item);
    if (scalar === undefined) throw corrupt(owner, `${what} holds a value that is neither text nor a number`);
    return scalar;
  });
}

/** The estimator object inside a value, or undefined for strings such as "drop" and "passthrough". */
export function asEstimatorObject(value: PyValue | undefined): PyObject | undefined {
  return value instanceof PyObject ? value : undefined;
}

/** The numpy dtype name a pickled dtype attribute denotes ("float64", "float32", …), when recognisable. */
export function dtypeName(value: PyValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof PyGlobalRef) return shortClassName(value.name);
  if (typeof value === 'object' && 'kind' in value && value.kind === 'dtype') return value.dtype;
  if (value instanceof PyObject) {
    const arg = value.args[0];
    if (typeof arg === 'string') return arg;
    return shortClassName(value.className);
  }
  return undefined;
}
