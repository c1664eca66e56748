/**
 * The pickle instruction table: one entry per opcode byte (names as in Python's pickletools),
 * each a small function over the Unpickler's stack. Opcodes that reach outside the byte
 * stream (persistent ids, the extension registry, out-of-band buffers) are refused.
 */
import { latin1 } from './cursor.ts';
import { corrupt, refused, unsupported } from './pickle-errors.ts';
import { PyDict, PyTuple } from './py-values.ts';
import type { Unpickler } from './unpickler.ts';

/** Longest decimal text (INT, LONG, FLOAT, PUT/GET index) accepted; BigInt parsing is superlinear. */
const MAX_NUMBER_TEXT = 4096;
/** Largest LONG4 integer; model files hold nothing near 32 768 bits. */
const MAX_LONG_BYTES = 4096;

export const STOP = Symbol('stop');
interface Opcode {
  name: string;
  /** Returns STOP to end the load; anything else is ignored. */
  run: (m: Unpickler) => unknown;
}

export const OPCODES: (Opcode | undefined)[] = new Array(256);

function op(code: string | number, name: string, run: Opcode['run']): void {
  const byte = typeof code === 'number' ? code : code.charCodeAt(0);
  OPCODES[byte] = { name, run };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function text(m: Unpickler, bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw corrupt(`This pickle file is damaged: the text at byte ${m.at} is not valid UTF-8.`);
  }
}

function smallInt(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
    ? Number(value)
    : value;
}

function parseInt10(m: Unpickler, raw: string): number | bigint {
  const s = raw.endsWith('L') ? raw.slice(0, -1) : raw;
  if (s.length > MAX_NUMBER_TEXT || !/^[+-]?\d+$/.test(s)) {
    throw corrupt(`This pickle file is damaged: "${s.slice(0, 30)}" at byte ${m.at} is not an integer.`);
  }
  return smallInt(BigInt(s));
}

function parseFloatText(m: Unpickler, s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'nan' || t === '-nan') return Number.NaN;
  if (t === 'inf' || t === '+inf') return Number.POSITIVE_INFINITY;
  if (t === '-inf') return Number.NEGATIVE_INFINITY;
  if (t.length > MAX_NUMBER_TEXT || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) {
    throw corrupt(`This pickle file is damaged: "${s.slice(0, 30)}" at byte ${m.at} is not a number.`);
  }
  return Number(t);
}

/** Two's-complement little-endian integer (LONG1/LONG4). */
function decodeLong(bytes: Uint8Array): number | bigint {
  if (bytes.length === 0) return 0;
  let hex = '';
  for (let i = bytes.length - 1; i >= 0; i--) hex += (bytes[i] as number).toString(16).padStart(2, '0');
  let value = BigInt(`0x${hex}`);
  if ((bytes[bytes.length - 1] as number) & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return smallInt(value);
}

/** Python 2 `repr(str)` as written by the STRING opcode, decoded to latin-1 text. */
function unquote(m: Unpickler, line: string): string {
  const q = line[0];
  if (line.length < 2 || (q !== "'" && q !== '"') || line[line.length - 1] !== q) {
    throw corrupt(`This pickle file is damaged: the STRING at byte ${m.at} is not quoted.`);
  }
  const body = line.slice(1, -1);
  const simple: Record<string, string> = {
    n: '\n',
    t: '\t',
    r: '\r',
    '\\': '\\',
    "'": "'",
    '"': '"',
    a: '\x07',
    b: '\b',
    f: '\f',
    v: '\v',
    '\n': '',
  };
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/gs, (_all, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(Number.parseInt(e.slice(1), 16));
    if (/^[0-7]/.test(e)) return String.fromCharCode(Number.parseInt(e, 8) & 0xff);
    return simple[e] ?? `\\${e}`;
  });
}

/** Python's raw-unicode-escape, used by the protocol-0 UNICODE opcode. */
function rawUnicodeEscape(s: string): string {
  return s.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (all, u4?: string, u8?: string) => {
    const cp = Number.parseInt((u4 ?? u8) as string, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : all;
  });
}

function lengthOf(m: Unpickler, n: number, what: string): number {
  if (n < 0) throw corrupt(`This pickle file is damaged: ${what} at byte ${m.at} has a negative length.`);
  return n;
}

const MiB = 1024 * 1024;

/**
 * A text's declared length, checked against maxTextBytes before it is read or decoded: past ~512M
 * characters V8 can't make the string at all, and a decompressed 600 MB text would otherwise cost
 * seconds and gigabytes before failing with a misleading message.
 */
function textLength(m: Unpickler, n: number, what: string): number {
  const max = m.budget.limits.maxTextBytes;
  // A length past the end of the file is reported as truncation by the read that follows.
  if (lengthOf(m, n, what) > max && n <= m.cursor.remaining) {
    throw refused(
      `refused: the file holds a text of ${Math.ceil(n / MiB)} MB (${what} at byte ${m.at}); ModelDock reads texts of up to ${Math.floor(max / MiB)} MB`,
      { limit: 'maxTextBytes', bytes: n },
    );
  }
  return n;
}

function textLine(m: Unpickler, what: string): string {
  textLength(m, m.cursor.lineLength(), what);
  return m.cursor.line(what);
}

// ---- the opcode table (names as in Python's pickletools) ----

op('(', 'MARK', (m) => m.mark());
op('.', 'STOP', () => STOP);
op('0', 'POP', (m) => {
  // Python pops a MARK level when the current stack is empty.
  if (m.stackIsEmpty()) m.popMark();
  else m.pop();
});
op('1', 'POP_MARK', (m) => {
  m.popMark();
});
op('2', 'DUP', (m) => m.push(m.top()));
op(0x80, 'PROTO', (m) => {
  const version = m.cursor.u8('the PROTO instruction');
  if (version > 5)
    throw unsupported(`This pickle uses protocol ${version}, newer than the protocol 5 ModelDock reads.`);
});
op(0x95, 'FRAME', (m) => {
  const length = m.cursor.u64('the FRAME instruction');
  if (length > m.cursor.remaining) {
    throw corrupt(
      `This pickle file is truncated: a frame at byte ${m.at} promises ${length} bytes but only ${m.cursor.remaining} follow.`,
    );
  }
  m.startFrame(length);
});

// numbers
op('I', 'INT', (m) => {
  const s = m.cursor.line('an INT');
  if (s === '00') m.push(false);
  else if (s === '01') m.push(true);
  else m.push(parseInt10(m, s));
});
op('J', 'BININT', (m) => m.push(m.cursor.i32('a BININT')));
op('K', 'BININT1', (m) => m.push(m.cursor.u8('a BININT1')));
op('M', 'BININT2', (m) => m.push(m.cursor.u16('a BININT2')));
op('L', 'LONG', (m) => m.push(parseInt10(m, m.cursor.line('a LONG'))));
op(0x8a, 'LONG1', (m) => m.push(decodeLong(m.cursor.take(m.cursor.u8('a LONG1'), 'a LONG1'))));
op(0x8b, 'LONG4', (m) => {
  const n = lengthOf(m, m.cursor.i32('a LONG4'), 'a LONG4');
  if (n > MAX_LONG_BYTES)
    throw refused(`refused: the file holds an integer of ${n} bytes, far larger than model data uses`);
  m.push(decodeLong(m.cursor.take(n, 'a LONG4')));
});
op('F', 'FLOAT', (m) => m.push(parseFloatText(m, m.cursor.line('a FLOAT'))));
op('G', 'BINFLOAT', (m) => m.push(m.cursor.f64be('a BINFLOAT')));
op('N', 'NONE', (m) => m.push(null));
op(0x88, 'NEWTRUE', (m) => m.push(true));
op(0x89, 'NEWFALSE', (m) => m.push(false));

// text and bytes (Python 2 byte strings are read as latin-1 text, like encoding='latin1')
op('S', 'STRING', (m) => m.push(unquote(m, textLine(m, 'a STRING'))));
op('T', 'BINSTRING', (m) => {
  const n = textLength(m, m.cursor.i32('a BINSTRING'), 'a BINSTRING');
  m.push(latin1(m.cursor.take(n, 'a BINSTRING')));
});
op('U', 'SHORT_BINSTRING', (m) =>
  m.push(latin1(m.cursor.take(m.cursor.u8('a SHORT_BINSTRING'), 'a SHORT_BINSTRING'))),
);
op('V', 'UNICODE', (m) => m.push(rawUnicodeEscape(textLine(m, 'a UNICODE string'))));
op('X', 'BINUNICODE', (m) => {
  const n = textLength(m, m.cursor.u32('a BINUNICODE string'), 'a BINUNICODE string');
  m.push(text(m, m.cursor.take(n, 'a BINUNICODE string')));
});
op(0x8c, 'SHORT_BINUNICODE', (m) =>
  m.push(text(m, m.cursor.take(m.cursor.u8('a SHORT_BINUNICODE string'), 'a SHORT_BINUNICODE string'))),
);
op(0x8d, 'BINUNICODE8', (m) => {
  const n = textLength(m, m.cursor.u64('a BINUNICODE8 string'), 'a BINUNICODE8 string');
  m.push(text(m, m.cursor.take(n, 'a BINUNICODE8 string')));
});
op('B', 'BINBYTES', (m) => m.push(m.cursor.take(m.cursor.u32('a BINBYTES'), 'a BINBYTES').slice()));
op('C', 'SHORT_BINBYTES', (m) =>
  m.push(m.cursor.take(m.cursor.u8('a SHORT_BINBYTES'), 'a SHORT_BINBYTES').slice()),
);
op(0x8e, 'BINBYTES8', (m) => m.push(m.cursor.take(m.cursor.u64('a BINBYTES8'), 'a BINBYTES8').slice()));
op(0x96, 'BYTEARRAY8', (m) => m.push(m.cursor.take(m.cursor.u64('a BYTEARRAY8'), 'a BYTEARRAY8').slice()));

// containers
op(')', 'EMPTY_TUPLE', (m) => m.push(new PyTuple([])));
op(0x85, 'TUPLE1', (m) => m.push(new PyTuple([m.popValue()])));
op(0x86, 'TUPLE2', (m) => {
  const b = m.popValue();
  m.push(new PyTuple([m.popValue(), b]));
});
op(0x87, 'TUPLE3', (m) => {
  const c = m.popValue();
  const b = m.popValue();
  m.push(new PyTuple([m.popValue(), b, c]));
});
op('t', 'TUPLE', (m) => m.push(new PyTuple(m.popMark())));
op(']', 'EMPTY_LIST', (m) => m.push([]));
op('l', 'LIST', (m) => m.push(m.popMark()));
op('a', 'APPEND', (m) => {
  const item = m.popValue();
  m.appendTo(m.top(), [item]);
});
op('e', 'APPENDS', (m) => {
  const items = m.popMark();
  m.appendTo(m.top(), items);
});
op('}', 'EMPTY_DICT', (m) => m.push(new PyDict()));
op('d', 'DICT', (m) => {
  const items = m.popMark();
  const dict = new PyDict();
  m.push(dict);
  m.setItems(dict, items);
});
op('s', 'SETITEM', (m) => {
  const value = m.popValue();
  const key = m.popValue();
  m.setItems(m.top(), [key, value]);
});
op('u', 'SETITEMS', (m) => {
  const items = m.popMark();
  m.setItems(m.top(), items);
});
op(0x8f, 'EMPTY_SET', (m) => m.push({ kind: 'set', items: [] }));
op(0x90, 'ADDITEMS', (m) => {
  const items = m.popMark();
  const target = m.top();
  if (target === null || typeof target !== 'object' || !('kind' in target) || target.kind !== 'set') {
    throw corrupt(
      `This pickle file is damaged: ADDITEMS at byte ${m.at} adds to something that is not a set.`,
    );
  }
  // One at a time: push(...items) passes every item as an argument, and 500,000 overflow the stack.
  for (const item of items) target.items.push(item);
});
op(0x91, 'FROZENSET', (m) => m.push({ kind: 'set', items: m.popMark() }));

// memo
op('p', 'PUT', (m) => m.memoPut(Number(parseInt10(m, m.cursor.line('a PUT'))), m.top()));
op('q', 'BINPUT', (m) => m.memoPut(m.cursor.u8('a BINPUT'), m.top()));
op('r', 'LONG_BINPUT', (m) => m.memoPut(m.cursor.u32('a LONG_BINPUT'), m.top()));
op(0x94, 'MEMOIZE', (m) => m.memoize());
op('g', 'GET', (m) => m.memoGet(Number(parseInt10(m, m.cursor.line('a GET')))));
op('h', 'BINGET', (m) => m.memoGet(m.cursor.u8('a BINGET')));
op('j', 'LONG_BINGET', (m) => m.memoGet(m.cursor.u32('a LONG_BINGET')));

// globals and object construction: the only place a file names code
op('c', 'GLOBAL', (m) => {
  const module = m.cursor.line('a GLOBAL');
  const name = m.cursor.line('a GLOBAL');
  m.pushGlobal(module, name);
});
op(0x93, 'STACK_GLOBAL', (m) => {
  const name = m.popValue();
  const module = m.popValue();
  if (typeof name !== 'string' || typeof module !== 'string') {
    throw corrupt(
      `This pickle file is damaged: STACK_GLOBAL at byte ${m.at} names a global with something other than text.`,
    );
  }
  m.pushGlobal(module, name);
});
op('R', 'REDUCE', (m) => {
  const args = m.popValue();
  const callable = m.pop();
  if (!(args instanceof PyTuple))
    throw corrupt(`This pickle file is damaged: REDUCE at byte ${m.at} has no argument tuple.`);
  m.call(callable, args.items, 'reduce');
});
op(0x81, 'NEWOBJ', (m) => {
  const args = m.popValue();
  const cls = m.pop();
  if (!(args instanceof PyTuple))
    throw corrupt(`This pickle file is damaged: NEWOBJ at byte ${m.at} has no argument tuple.`);
  m.call(cls, args.items, 'new');
});
op(0x92, 'NEWOBJ_EX', (m) => {
  const kwargs = m.popValue();
  const args = m.popValue();
  const cls = m.pop();
  if (!(args instanceof PyTuple) || !(kwargs instanceof PyDict)) {
    throw corrupt(`This pickle file is damaged: NEWOBJ_EX at byte ${m.at} has no argument tuple and dict.`);
  }
  m.call(cls, args.items, 'new', kwargs);
});
op('i', 'INST', (m) => {
  const module = m.cursor.line('an INST');
  const name = m.cursor.line('an INST');
  m.pushGlobal(module, name);
  const cls = m.pop();
  m.call(cls, m.popMark(), 'new');
});
op('o', 'OBJ', (m) => {
  const [cls, ...args] = m.popMark();
  if (cls === undefined) throw corrupt(`This pickle file is damaged: OBJ at byte ${m.at} names no class.`);
  m.call(cls, args, 'new');
});
op('b', 'BUILD', (m) => m.build());

// everything that reaches outside the byte stream is refused
function refuseOp(code: string | number, name: string, why: string): void {
  op(code, name, () => {
    throw refused(`refused: the file ${why}, which model data never needs`, { opcode: name });
  });
}
refuseOp('P', 'PERSID', 'uses a persistent id (an object looked up outside the file)');
refuseOp('Q', 'BINPERSID', 'uses a persistent id (an object looked up outside the file)');
refuseOp(0x82, 'EXT1', 'uses the copyreg extension registry');
refuseOp(0x83, 'EXT2', 'uses the copyreg extension registry');
refuseOp(0x84, 'EXT4', 'uses the copyreg extension registry');
refuseOp(0x97, 'NEXT_BUFFER', 'uses an out-of-band buffer');
refuseOp(0x98, 'READONLY_BUFFER', 'uses an out-of-band buffer');
