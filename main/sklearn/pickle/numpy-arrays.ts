import { corrupt, unsupported } from './pickle-errors.ts';
import { NdArray, type NdData, type NdDtype, NdRecordArray, PyTuple, type PyValue } from './py-values.ts';

/** What the reader knows about a numpy dtype object, kept beside the inert `{kind:'dtype'}` value. */
export type DtypeInfo = SimpleDtype | RecordDtype;

export interface SimpleDtype {
  kind: 'simple';
  /** numpy's kind character: f i u b O U S V c M m */
  char: string;
  itemsize: number;
  littleEndian: boolean;
}

export interface RecordDtype {
  kind: 'record';
  names: string[];
  fields: { name: string; type: DtypeInfo; offset: number }[];
  itemsize: number;
}

export type DtypeValue = { kind: 'dtype'; dtype: string };

const dtypeInfo = new WeakMap<DtypeValue, DtypeInfo>();

export function getDtypeInfo(value: PyValue): DtypeInfo | undefined {
  if (value !== null && typeof value === 'object' && 'kind' in value && value.kind === 'dtype') {
    return dtypeInfo.get(value);
  }
  return undefined;
}

/** numpy.dtype('f8', align, copy) as pickled; the byte order arrives later through BUILD. */
export function makeDtype(spec: PyValue): DtypeValue {
  if (typeof spec !== 'string')
    throw corrupt('This pickle file is damaged: a numpy dtype is not given by name.');
  const match = /^([a-zA-Z?])(\d*)$/.exec(spec);
  if (!match) throw corrupt(`This pickle file is damaged: "${spec.slice(0, 40)}" is not a numpy dtype.`);
  const char = match[1] === '?' ? 'b' : (match[1] as string);
  let itemsize = match[2] ? Number(match[2]) : char === 'b' ? 1 : 0;
  if (char === 'U') itemsize *= 4;
  if (char === 'O') itemsize = 8;
  const info: SimpleDtype = { kind: 'simple', char, itemsize, littleEndian: true };
  const value: DtypeValue = { kind: 'dtype', dtype: dtypeString(info) };
  dtypeInfo.set(value, info);
  return value;
}

/** dtype.__setstate__: (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]). */
export function setDtypeState(value: DtypeValue, state: PyValue): void {
  const current = dtypeInfo.get(value);
  if (current?.kind !== 'simple' || !(state instanceof PyTuple) || state.items.length < 8) {
    throw corrupt('This pickle file is damaged: a numpy dtype has an unreadable state.');
  }
  const [version, byteorder, subarray, names, fields, elsize] = state.items;
  if (version !== 3 && version !== 4) {
    throw unsupported(
      `This pickle uses numpy dtype state version ${String(version)}, which ModelDock cannot read.`,
    );
  }
  if (subarray !== null)
    throw unsupported('This pickle holds a numpy sub-array dtype, which ModelDock cannot read.');
  let info: DtypeInfo;
  if (names !== null) {
    if (!(names instanceof PyTuple) || fields === null || typeof fields !== 'object' || !('get' in fields)) {
      throw corrupt('This pickle file is damaged: a numpy record dtype has no field list.');
    }
    const list: RecordDtype['fields'] = [];
    for (const name of names.items) {
      const field = fields.get(name);
      const type = field instanceof PyTuple ? getDtypeInfo(field.items[0] ?? null) : undefined;
      const offset = field instanceof PyTuple ? field.items[1] : undefined;
      if (
        typeof name !== 'string' ||
        !type ||
        typeof offset !== 'number' ||
        !Number.isSafeInteger(offset) ||
        offset < 0
      ) {
        throw corrupt('This pickle file is damaged: a numpy record dtype has an unreadable field.');
      }
      list.push({ name, type, offset });
    }
    const itemsize = typeof elsize === 'number' ? elsize : 0;
    for (const f of list) {
      if (f.offset + f.type.itemsize > itemsize) {
        throw corrupt('This pickle file is damaged: a numpy record field lies outside its record.');
      }
    }
    info = { kind: 'record', names: list.map((f) => f.name), fields: list, itemsize };
  } else {
    const itemsize = typeof elsize === 'number' && elsize > 0 ? elsize : current.itemsize;
    info = { ...current, itemsize, littleEndian: byteorder !== '>' };
  }
  dtypeInfo.set(value, info);
  value.dtype = dtypeString(info);
}

function dtypeString(info: DtypeInfo): string {
  if (info.kind === 'record') return `|V${info.itemsize}`;
  const order = info.itemsize <= 1 || 'OSVb'.includes(info.char) ? '|' : info.littleEndian ? '<' : '>';
  if (info.char === 'O') return '|O';
  if (info.char === 'U') return `${order}U${info.itemsize / 4}`;
  return `${order}${info.char}${info.itemsize}`;
}

/**
 * Counts a decoded array against the load's budget before anything is allocated: its bytes, its
 * elements (any dtype, zero-width ones included) and those of its elements that become separate
 * text values (U and S).
 */
export type ArrayBudget = (bytes: number, elements: number, textElements: number) => void;

/** How many text values one element of this dtype decodes to (a record counts each U/S field). */
function textValuesPerElement(info: DtypeInfo): number {
  if (info.kind === 'record') return info.fields.reduce((n, f) => n + textValuesPerElement(f.type), 0);
  return info.char === 'U' || info.char === 'S' ? 1 : 0;
}

export const NUMERIC: Readonly<Record<string, NdDtype>> = {
  f8: 'float64',
  f4: 'float32',
  i8: 'int64',
  i4: 'int32',
  i2: 'int16',
  i1: 'int8',
  u8: 'uint64',
  u4: 'uint32',
  u2: 'uint16',
  u1: 'uint8',
  b1: 'bool',
};

/** Validates a pickled shape tuple and returns it with its element count. */
export function readShape(value: PyValue): { shape: number[]; size: number } {
  const items =
    value instanceof PyTuple
      ? value.items
      : Array.isArray(value)
        ? value
        : typeof value === 'number'
          ? [value]
          : null;
  if (!items) throw corrupt('This pickle file is damaged: a numpy array has no valid shape.');
  const shape: number[] = [];
  let size = 1;
  for (const dim of items) {
    const n = typeof dim === 'bigint' ? Number(dim) : dim;
    if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) {
      throw corrupt('This pickle file is damaged: a numpy array has a negative or non-integer dimension.');
    }
    shape.push(n);
    size *= n;
    if (size > Number.MAX_SAFE_INTEGER)
      throw corrupt('This pickle file is damaged: a numpy array shape is impossibly large.');
  }
  return { shape, size };
}

/**
 * Builds an array from raw bytes (or, for object arrays, the pickled element list).
 * `fortran` means the bytes are in column-major order; the result is always C order.
 */
export function decodeArray(
  info: DtypeInfo,
  shapeValue: PyValue,
  raw: Uint8Array | PyValue[],
  fortran: boolean,
  budget: ArrayBudget,
): NdArray | NdRecordArray {
  const { shape, size } = readShape(shapeValue);
  if (info.kind === 'simple' && info.char === 'O') {
    if (!Array.isArray(raw) || raw.length !== size) {
      throw corrupt(
        'This pickle file is damaged: an object array does not hold as many items as its shape says.',
      );
    }
    budget(size * 8, size, 0);
    // numpy pickles object elements in C order even for Fortran arrays.
    return new NdArray('object', shape, raw.slice(), '|O');
  }
  if (Array.isArray(raw))
    throw corrupt('This pickle file is damaged: a numeric array holds a list instead of bytes.');
  const expected = size * info.itemsize;
  if (raw.length !== expected) {
    throw corrupt(
      `This pickle file is damaged: a numpy array of shape (${shape.join(', ')}) should hold ${expected} bytes but holds ${raw.length}.`,
    );
  }
  // Charged before decoding: with a zero-width dtype (U0, S0, a record of itemsize 0) no bytes back
  // the elements, and only the element counts stop a 100-byte file declaring 10^12 of them.
  budget(expected, size, size * textValuesPerElement(info));
  const bytes = fortran && shape.length > 1 ? fortranToC(raw, shape, info.itemsize) : raw;
  if (info.kind === 'record') {
    const fields: Record<string, NdArray> = {};
    for (const field of info.fields) {
      const column = new Uint8Array(size * field.type.itemsize);
      for (let i = 0; i < size; i++) {
        const at = i * info.itemsize + field.offset;
        column.set(bytes.subarray(at, at + field.type.itemsize), i * field.type.itemsize);
      }
      const decoded = decodeArray(field.type, new PyTuple(shape), column, false, () => {});
      if (!(decoded instanceof NdArray))
        throw unsupported('This pickle holds a nested numpy record array, which ModelDock cannot read.');
      fields[field.name] = decoded;
    }
    return new NdRecordArray(shape, info.names, fields);
  }
  const [dtype, data] = decodeSimple(info, bytes, size);
  return new NdArray(dtype, shape, data, dtypeString(info));
}

function decodeSimple(info: SimpleDtype, bytes: Uint8Array, size: number): [NdDtype, NdData] {
  const { char, itemsize, littleEndian } = info;
  if (char === 'U') return ['object', decodeUnicode(bytes, size, itemsize, littleEndian)];
  if (char === 'S') {
    const out: PyValue[] = [];
    for (let i = 0; i < size; i++)
      out.push(stripNuls(bytes.subarray(i * itemsize, (i + 1) * itemsize)).slice());
    return ['object', out];
  }
  const dtype = NUMERIC[`${char}${itemsize}`];
  if (!dtype) {
    throw unsupported(
      `This pickle holds a numpy array of type ${dtypeString(info)}, which ModelDock cannot read.`,
      {
        dtype: dtypeString(info),
      },
    );
  }
  if (dtype === 'bool') return ['bool', Uint8Array.from(bytes, (b) => (b ? 1 : 0))];
  // Copy into a fresh, aligned buffer; swap bytes in place when the file is big-endian.
  const copy = new Uint8Array(bytes);
  if (!littleEndian && itemsize > 1) {
    for (let i = 0; i < copy.length; i += itemsize) copy.subarray(i, i + itemsize).reverse();
  }
  const buffer = copy.buffer;
  switch (dtype) {
    case 'float64':
      return [dtype, new Float64Array(buffer, 0, size)];
    case 'float32':
      return [dtype, new Float32Array(buffer, 0, size)];
    case 'int64':
      return [dtype, new BigInt64Array(buffer, 0, size)];
    case 'int32':
      return [dtype, new Int32Array(buffer, 0, size)];
    case 'int16':
      return [dtype, new Int16Array(buffer, 0, size)];
    case 'int8':
      return [dtype, new Int8Array(buffer, 0, size)];
    case 'uint64':
      return [dtype, new BigUint64Array(buffer, 0, size)];
    case 'uint32':
      return [dtype, new Uint32Array(buffer, 0, size)];
    case 'uint16':
      return [dtype, new Uint16Array(buffer, 0, size)];
    default:
      return ['uint8', new Uint8Array(buffer, 0, size)];
  }
}

function stripNuls(bytes: Uint8Array): Uint8Array {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return bytes.subarray(0, end);
}

function decodeUnicode(bytes: Uint8Array, size: number, itemsize: number, littleEndian: boolean): string[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: string[] = [];
  for (let i = 0; i < size; i++) {
    let s = '';
    for (let at = i * itemsize; at < (i + 1) * itemsize; at += 4) {
      const cp = view.getUint32(at, littleEndian);
      if (cp === 0) break;
      if (cp > 0x10ffff)
        throw corrupt('This pickle file is damaged: a numpy string array holds an invalid character.');
      s += String.fromCodePoint(cp);
    }
    out.push(s);
  }
  return out;
}

/** Reorders column-major element bytes to row-major. */
function fortranToC(bytes: Uint8Array, shape: number[], itemsize: number): Uint8Array {
  const out = new Uint8Array(bytes.length);
  const nd = shape.length;
  const fStrides: number[] = [];
  let stride = 1;
  for (let k = 0; k < nd; k++) {
    fStrides.push(stride);
    stride *= shape[k] as number;
  }
  const index = new Array<number>(nd).fill(0);
  const total = bytes.length / itemsize;
  let fOffset = 0;
  for (let c = 0; c < total; c++) {
    out.set(bytes.subarray(fOffset * itemsize, (fOffset + 1) * itemsize), c * itemsize);
    // Advance the C-order multi-index (last axis fastest) and keep the F offset in step.
    for (let k = nd - 1; k >= 0; k--) {
      index[k] = (index[k] as number) + 1;
      fOffset += fStrides[k] as number;
      if ((index[k] as number) < (shape[k] as number)) break;
      fOffset -= (index[k] as number) * (fStrides[k] as number);
      index[k] = 0;
    }
  }
  return out;
}

/** numpy.core.multiarray.scalar(dtype, bytes): a single element. */
export function decodeScalar(info: DtypeInfo, raw: PyValue): PyValue {
  if (info.kind === 'simple' && info.char === 'O') return raw;
  if (!(raw instanceof Uint8Array))
    throw corrupt('This pickle file is damaged: a numpy scalar has no bytes.');
  const array = decodeArray(info, new PyTuple([]), raw, false, () => {});
  if (!(array instanceof NdArray))
    throw unsupported('This pickle holds a numpy record scalar, which ModelDock cannot read.');
  return array.data[0] ?? null;
}
