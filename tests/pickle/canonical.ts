/**
 * Renders a loaded PyValue in the canonical JSON form that
 * scripts/fixtures/pickle/make_pickle_fixtures.py writes for what Python decodes, so the
 * two can be compared with deep equality.
 */
import {
  NdArray,
  NdRecordArray,
  NpScalar,
  PyDict,
  PyGlobalRef,
  PyObject,
  PyTuple,
  type PyValue,
} from '../../main/sklearn/pickle/index.ts';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function float(x: number): Json {
  if (Number.isNaN(x)) return { float: 'nan' };
  if (x === Number.POSITIVE_INFINITY) return { float: 'inf' };
  if (x === Number.NEGATIVE_INFINITY) return { float: '-inf' };
  return x;
}

function int(x: number | bigint): Json {
  if (typeof x === 'number') return x;
  return x >= BigInt(-Number.MAX_SAFE_INTEGER) && x <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(x)
    : { bigint: String(x) };
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

function array(a: NdArray): Json {
  let data: Json[];
  if (a.dtype === 'float64' || a.dtype === 'float32') data = Array.from(a.data as Float64Array, float);
  else if (a.dtype === 'int64' || a.dtype === 'uint64') data = Array.from(a.data as BigInt64Array, String);
  else if (a.dtype === 'object') data = (a.data as PyValue[]).map(canonical);
  else data = Array.from(a.data as Int32Array, Number);
  return { ndarray: a.dtype, descr: a.descr, shape: a.shape, data };
}

export function canonical(v: PyValue): Json {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? v : float(v);
  if (typeof v === 'bigint') return int(v);
  if (v instanceof Uint8Array) return { bytes: hex(v) };
  if (Array.isArray(v)) return v.map(canonical);
  if (v instanceof PyTuple) return { tuple: v.items.map(canonical) };
  if (v instanceof PyDict) return { dict: v.keys.map((k) => [canonical(k), canonical(v.get(k) ?? null)]) };
  if (v instanceof PyGlobalRef) return { global: v.name };
  if (v instanceof NpScalar) {
    const value =
      typeof v.value === 'boolean'
        ? v.value
        : typeof v.value === 'bigint'
          ? int(v.value)
          : v.dtype.startsWith('float')
            ? float(v.value)
            : v.value;
    return { npscalar: v.dtype, value };
  }
  if (v instanceof NdArray) return array(v);
  if (v instanceof NdRecordArray) {
    return {
      records: v.shape,
      fields: Object.fromEntries(v.names.map((n) => [n, array(v.fields[n] as NdArray)])),
    };
  }
  if (v instanceof PyObject)
    return { object: v.className, args: v.args.map(canonical), state: canonical(v.state) };
  if (v.kind === 'set') return { set: v.items.map(canonical) };
  if (v.kind === 'slice') return { slice: [canonical(v.start), canonical(v.stop), canonical(v.step)] };
  return { dtype: v.dtype };
}

/** Sets compare as multisets: sort their items (recursively) in both renderings. */
export function normalizeSets(j: Json): Json {
  if (Array.isArray(j)) return j.map(normalizeSets);
  if (j === null || typeof j !== 'object') return j;
  const out: { [key: string]: Json } = {};
  for (const [k, x] of Object.entries(j)) out[k] = normalizeSets(x);
  const set = out.set;
  if (Array.isArray(set) && Object.keys(out).length === 1) {
    out.set = [...set].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}
