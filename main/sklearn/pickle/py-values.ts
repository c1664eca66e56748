/**
 * The data a safe pickle load produces: plain Python values and inert records of the
 * allow-listed classes. Nothing here can run code; the converter reads only these shapes.
 */

/** numpy dtypes ModelDock reconstructs. */
export type NdDtype =
  | 'float64'
  | 'float32'
  | 'int64'
  | 'int32'
  | 'int16'
  | 'int8'
  | 'uint64'
  | 'uint32'
  | 'uint16'
  | 'uint8'
  | 'bool'
  | 'object';

export type NdData =
  | Float64Array
  | Float32Array
  | BigInt64Array
  | Int32Array
  | Int16Array
  | Int8Array
  | BigUint64Array
  | Uint32Array
  | Uint16Array
  | Uint8Array
  | PyValue[];

/** A numpy array, always in C order after loading (Fortran-ordered input is transposed on read). */
export class NdArray {
  constructor(
    readonly dtype: NdDtype,
    readonly shape: number[],
    /** bool arrays are Uint8Array of 0/1; object arrays hold PyValues (usually strings). */
    readonly data: NdData,
    /**
     * The numpy type string the file declared ("<f8", ">i4", "<U7", "|O"). Fixed-width
     * string arrays ("<U7", "|S3") load as dtype 'object' holding JS strings (U) or
     * Uint8Arrays (S), trailing NULs removed, so `descr` is how to tell them apart.
     */
    readonly descr: string = '',
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/**
 * A numpy structured (record) array such as sklearn's `Tree.nodes`: one C-ordered
 * NdArray per field, all with the record array's shape. `names` keeps the field order.
 */
export class NdRecordArray {
  constructor(
    readonly shape: number[],
    readonly names: string[],
    readonly fields: Record<string, NdArray>,
  ) {}

  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/**
 * A reference to an allow-listed class or type that the file names but does not
 * instantiate, e.g. `dtype=np.float64` in an estimator's parameters ("numpy.float64").
 */
export class PyGlobalRef {
  constructor(readonly name: string) {}
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

  /** Python `d[key] = value`: a repeated key keeps its first position and takes the new value. */
  set(key: PyValue, value: PyValue): void {
    const k = pyKey(key);
    if (!this.entries.has(k)) this.keys.push(key);
    this.entries.set(k, value);
  }

  /** The value under a string (or other primitive) key. */
  get(key: PyValue): PyValue | undefined {
    return this.entries.get(pyKey(key));
  }

  has(key: PyValue): boolean {
    return this.entries.has(pyKey(key));
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Longest rendering `pyKey` produces; a longer key is a crafted file, not model data. */
export const MAX_KEY_LENGTH = 10_000;

/**
 * The Map key for a Python dict key: strings, numbers, booleans, bigints and None stand
 * for themselves (numpy scalars by their value); tuples, bytes and other values are
 * rendered to a repr-like string such as "('a', 1)". Throws a RangeError when the
 * rendering would exceed MAX_KEY_LENGTH, so shared sub-tuples can't blow up.
 */
export function pyKey(key: PyValue): string | number | boolean | bigint | null {
  if (key === null || typeof key === 'string' || typeof key === 'number' || typeof key === 'boolean')
    return key;
  if (typeof key === 'bigint') return key;
  if (key instanceof NpScalar) return key.value;
  const out: string[] = [];
  let length = 0;
  const stack: (PyValue | { text: string })[] = [key];
  while (stack.length > 0) {
    const item = stack.pop() as PyValue | { text: string };
    let text: string;
    if (item !== null && typeof item === 'object' && 'text' in item && !(item instanceof PyDict)) {
      text = item.text;
    } else if (item instanceof PyTuple) {
      const parts: (PyValue | { text: string })[] = [{ text: '(' }];
      item.items.forEach((child, i) => {
        if (i > 0) parts.push({ text: ', ' });
        parts.push(child);
      });
      parts.push({ text: item.items.length === 1 ? ',)' : ')' });
      for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i] as PyValue | { text: string });
      continue;
    } else if (typeof item === 'string') {
      text = `'${item}'`;
    } else if (item instanceof Uint8Array) {
      text = `b'${Array.from(item, (b) => String.fromCharCode(b)).join('')}'`;
    } else if (item === null) {
      text = 'None';
    } else if (typeof item === 'boolean') {
      text = item ? 'True' : 'False';
    } else if (typeof item === 'number' || typeof item === 'bigint') {
      text = String(item);
    } else if (item instanceof NpScalar) {
      text = String(item.value);
    } else if (item instanceof PyGlobalRef) {
      text = `<${item.name}>`;
    } else {
      text = `<${item.constructor?.name ?? 'object'}>`;
    }
    length += text.length;
    if (length > MAX_KEY_LENGTH) throw new RangeError('dict key too long');
    out.push(text);
  }
  return out.join('');
}

/**
 * An instance of an allow-listed class: `className` is the fully qualified name the
 * pickle gave ("sklearn.linear_model._logistic.LogisticRegression"), `state` what
 * __setstate__ would have received (usually a PyDict of attributes), `args` the
 * constructor arguments.
 */
export class PyObject {
  state: PyValue = null;
  /** Keyword arguments given to the constructor (NEWOBJ_EX), if any. */
  kwargs: PyDict | undefined = undefined;
  /** Items appended to a list subclass (APPEND/APPENDS on the object). */
  listItems: PyValue[] | undefined = undefined;
  /** Items set on a dict subclass such as sklearn's Bunch (SETITEM/SETITEMS on the object). */
  dictItems: PyDict | undefined = undefined;
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

/**
 * A numpy scalar (np.float64(0.5), np.int64(3)) kept with its dtype. Integers are JS
 * numbers when they are safe integers and bigints otherwise (the same rule as Python ints).
 */
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
  | NdRecordArray
  | NpScalar
  | PyGlobalRef
  | { kind: 'set'; items: PyValue[] }
  | { kind: 'slice'; start: PyValue; stop: PyValue; step: PyValue }
  /** A numpy dtype object; `dtype` is its type string ("<f8", "|O", "<U5", "|V56"). */
  | { kind: 'dtype'; dtype: string };
