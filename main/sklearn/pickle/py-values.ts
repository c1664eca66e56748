/**
 * The data a safe pickle load produces: plain Python values and inert records of the
 * allow-listed classes. Nothing here can run code; the converter reads only these shapes.
 */

/** numpy dtypes ModelDock reconstructs. */
export type NdDtype = 'float64' | 'float32' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool' | 'object';

export type NdData = Float64Array | Float32Array | BigInt64Array | Int32Array | Int16Array | Int8Array | Uint8Array | PyValue[];

/** A numpy array, always in C order after loading (Fortran-ordered input is transposed on read). */
export class NdArray {
  constructor(
    readonly dtype: NdDtype,
    readonly shape: number[],
    /** bool arrays are Uint8Array of 0/1; object arrays hold PyValues (usually strings). */
    readonly data: NdData,
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** A Python tuple (kept distinct from lists because scikit-learn uses both). */
export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

/** A Python dict; keys are primitives or tuples rendered by `pyKey`. */
export class PyDict {
  readonly entries = new Map<string | number | boolean | bigint | null, PyValue>();
  /** The original keys in insertion order, for dicts whose keys are not plain strings. */
  readonly keys: PyValue[] = [];
}

/**
 * An instance of an allow-listed class: `className` is the fully qualified name the
 * pickle gave ("sklearn.linear_model._logistic.LogisticRegression"), `state` what
 * __setstate__ would have received (usually a PyDict of attributes), `args` the
 * constructor arguments.
 */
export class PyObject {
  state: PyValue = null;
  constructor(
    readonly className: string,
    readonly args: PyValue[] = [],
  ) {}

  /** The attribute dict (state, or the dict half of a (dict, slots) state). */
  get attributes(): PyDict | undefined {
    if (this.state instanceof PyDict) return this.state;
    if (this.state instanceof PyTuple && this.state.items[0] instanceof PyDict) return this.state.items[0];
    return undefined;
  }
}

/** A numpy scalar (np.float64(0.5), np.int64(3)) kept with its dtype. */
export class NpScalar {
  constructor(
    readonly dtype: NdDtype,
    readonly value: number | bigint | boolean,
  ) {}
}

export type PyValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array // bytes / bytearray
  | PyValue[] // list
  | PyTuple
  | PyDict
  | PyObject
  | NdArray
  | NpScalar
  | { kind: 'set'; items: PyValue[] }
  | { kind: 'slice'; start: PyValue; stop: PyValue; step: PyValue }
  | { kind: 'dtype'; dtype: string };
