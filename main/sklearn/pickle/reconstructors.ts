import { type AllowedGlobal, classifyGlobal } from './allow-list.ts';
import {
  type ArrayBudget,
  decodeArray,
  decodeScalar,
  getDtypeInfo,
  makeDtype,
  NUMERIC,
} from './numpy-arrays.ts';
import { corrupt, refused } from './pickle-errors.ts';
import { type NdDtype, NpScalar, PyDict, PyGlobalRef, PyObject, PyTuple, type PyValue } from './py-values.ts';

/**
 * An array created by numpy's `_reconstruct` whose data arrives with the following BUILD.
 * It never escapes the reader: BUILD fills `result`, and every other use of it resolves
 * to `result` (or is reported as a damaged file if BUILD never came).
 */
export class PendingArray {
  result: PyValue | undefined = undefined;
}

const allowed = new WeakMap<PyGlobalRef, AllowedGlobal>();

/** The inert value a GLOBAL/STACK_GLOBAL pushes, or undefined when the name is not allowed. */
export function globalRef(module: string, name: string): PyGlobalRef | undefined {
  const info = classifyGlobal(module, name);
  if (!info) return undefined;
  const ref = new PyGlobalRef(info.name);
  allowed.set(ref, info);
  return ref;
}

export type CallStyle = 'reduce' | 'new';

/**
 * What calling an allowed global produces. Classes become PyObjects; the reconstructors
 * below are implemented here from their documented behaviour, on data only.
 */
export function callGlobal(
  callable: PyValue | PendingArray,
  args: PyValue[],
  style: CallStyle,
  budget: ArrayBudget,
  kwargs?: PyDict,
): PyValue | PendingArray {
  const info = callable instanceof PyGlobalRef ? allowed.get(callable) : undefined;
  if (!info)
    throw corrupt('This pickle file is damaged: it calls something that is not a class or function.');
  if (info.kind === 'class') {
    const obj = new PyObject(info.className ?? info.name, args);
    if (kwargs && kwargs.size > 0) obj.kwargs = kwargs;
    return obj;
  }
  if (info.kind === 'type') {
    throw refused(`refused: the file calls ${info.name} as a function, which is not model data`, {
      global: info.name,
    });
  }
  const recon = RECONSTRUCT[info.name];
  if (!recon)
    throw refused(`refused: the file calls ${info.name}, which is not model data`, { global: info.name });
  return recon(args, style, budget);
}

type Reconstructor = (args: PyValue[], style: CallStyle, budget: ArrayBudget) => PyValue | PendingArray;

function damaged(what: string): never {
  throw corrupt(`This pickle file is damaged: ${what}.`);
}

function iterableItems(value: PyValue | undefined, what: string): PyValue[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value.slice();
  if (value instanceof PyTuple) return value.items.slice();
  if (value !== null && typeof value === 'object' && 'kind' in value && value.kind === 'set')
    return value.items.slice();
  return damaged(`${what} is given something that is not a list`);
}

function encodeText(text: PyValue | undefined, encoding: PyValue | undefined): Uint8Array {
  if (typeof text !== 'string') return damaged('bytes are encoded from something that is not text');
  const enc = typeof encoding === 'string' ? encoding.toLowerCase().replace('_', '-') : '';
  if (['latin1', 'latin-1', 'iso-8859-1', 'iso8859-1'].includes(enc)) {
    const out = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c > 255) return damaged('latin-1 bytes contain a character above U+00FF');
      out[i] = c;
    }
    return out;
  }
  if (['utf-8', 'utf8', 'ascii'].includes(enc)) return new TextEncoder().encode(text);
  return damaged(`bytes use the unknown encoding "${String(encoding).slice(0, 20)}"`);
}

function toBytes(args: PyValue[]): Uint8Array {
  const [first, encoding] = args;
  if (first === undefined) return new Uint8Array(0);
  if (first instanceof Uint8Array) return first.slice();
  if (typeof first === 'string') return encodeText(first, encoding);
  const items = iterableItems(first, 'bytes()');
  return Uint8Array.from(items, (b) =>
    typeof b === 'number' && b >= 0 && b < 256 ? b : damaged('bytes() holds a non-byte'),
  );
}

function toDict(pairs: PyValue | undefined): PyDict {
  const dict = new PyDict();
  for (const pair of iterableItems(pairs, 'a dict')) {
    const kv = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : null;
    if (kv?.length !== 2) damaged('a dict is built from something that is not key/value pairs');
    dict.set(kv[0] as PyValue, kv[1] as PyValue);
  }
  return dict;
}

const NP_SCALAR: Partial<Record<NdDtype, true>> = {
  float64: true,
  float32: true,
  int64: true,
  int32: true,
  int16: true,
  int8: true,
  uint64: true,
  uint32: true,
  uint16: true,
  uint8: true,
  bool: true,
};

function scalar([dtype, raw]: PyValue[]): PyValue {
  const info = getDtypeInfo(dtype ?? null);
  if (!info) return damaged('a numpy scalar has no dtype');
  const value = decodeScalar(info, raw ?? null);
  if (info.kind !== 'simple' || info.char === 'O' || info.char === 'U' || info.char === 'S') return value;
  const nd = NUMERIC[`${info.char}${info.itemsize}`];
  if (!nd || !NP_SCALAR[nd]) return damaged('a numpy scalar has an unreadable type');
  if (nd === 'bool') return new NpScalar(nd, value === 1);
  if (typeof value === 'bigint') {
    const safe = value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER);
    return new NpScalar(nd, safe ? Number(value) : value);
  }
  if (typeof value !== 'number') return damaged('a numpy scalar has an unreadable value');
  return new NpScalar(nd, value);
}

function frombuffer([buffer, dtype, shape, order]: PyValue[], budget: ArrayBudget): PyValue {
  const info = getDtypeInfo(dtype ?? null);
  if (!info || !(buffer instanceof Uint8Array))
    return damaged('a numpy buffer array has no dtype or no bytes');
  return decodeArray(info, shape ?? null, buffer, order === 'F', budget);
}

const RECONSTRUCT: Record<string, Reconstructor> = {
  'copyreg._reconstructor': ([cls, base]) => {
    if (!(base instanceof PyGlobalRef)) return damaged('copyreg._reconstructor is given no base class');
    const obj = callGlobal(cls ?? null, [], 'new', () => {});
    return obj;
  },
  'copyreg.__newobj__': ([cls, ...rest], _style, budget) => callGlobal(cls ?? null, rest, 'new', budget),
  'copyreg.__newobj_ex__': ([cls, args, kwargs], _style, budget) =>
    callGlobal(
      cls ?? null,
      iterableItems(args, '__newobj_ex__'),
      'new',
      budget,
      kwargs instanceof PyDict ? kwargs : undefined,
    ),
  '_codecs.encode': ([text, encoding]) => encodeText(text, encoding),
  'builtins.set': ([items]) => ({ kind: 'set', items: iterableItems(items, 'set()') }),
  'builtins.frozenset': ([items]) => ({ kind: 'set', items: iterableItems(items, 'frozenset()') }),
  'builtins.bytearray': (args) => toBytes(args),
  'builtins.bytes': (args) => toBytes(args),
  'builtins.slice': (args) => {
    if (args.length === 1) return { kind: 'slice', start: null, stop: args[0] ?? null, step: null };
    return { kind: 'slice', start: args[0] ?? null, stop: args[1] ?? null, step: args[2] ?? null };
  },
  'collections.OrderedDict': ([pairs]) => toDict(pairs),
  'collections.defaultdict': ([factory, pairs]) => {
    if (factory !== undefined && factory !== null && !(factory instanceof PyGlobalRef)) {
      return damaged('a defaultdict has a factory that is not a type');
    }
    return toDict(pairs);
  },
  'numpy.dtype': ([spec]) => makeDtype(spec ?? null),
  'numpy.core.multiarray._reconstruct': () => new PendingArray(),
  'numpy._core.multiarray._reconstruct': () => new PendingArray(),
  'numpy.core.multiarray.scalar': (args) => scalar(args),
  'numpy._core.multiarray.scalar': (args) => scalar(args),
  'numpy.core.numeric._frombuffer': (args, _style, budget) => frombuffer(args, budget),
  'numpy._core.numeric._frombuffer': (args, _style, budget) => frombuffer(args, budget),
};

/** numpy.ndarray.__setstate__: (version, shape, dtype, is_fortran, rawdata), version optional. */
export function buildArray(state: PyValue, budget: ArrayBudget): PyValue {
  if (!(state instanceof PyTuple)) return damaged('a numpy array has an unreadable state');
  const items = state.items.length === 5 ? state.items.slice(1) : state.items;
  if (items.length !== 4) return damaged('a numpy array has an unreadable state');
  const [shape, dtype, fortran, raw] = items as [PyValue, PyValue, PyValue, PyValue];
  const info = getDtypeInfo(dtype);
  if (!info) return damaged('a numpy array has no dtype');
  const data = typeof raw === 'string' ? encodeText(raw, 'latin1') : raw;
  if (!(data instanceof Uint8Array) && !Array.isArray(data)) return damaged('a numpy array has no data');
  return decodeArray(info, shape, data, fortran === true || fortran === 1, budget);
}
