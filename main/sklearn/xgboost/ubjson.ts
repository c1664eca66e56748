/**
 * A Universal Binary JSON (UBJSON, Draft 12) reader for the model files xgboost writes
 * (`model.ubj`, and the bytes a Booster keeps in its pickle since 1.7). Written here because no
 * maintained npm package reads UBJSON. Every length the file declares is checked against the
 * bytes left before anything is allocated, and nesting is capped, so a crafted file costs at
 * most its own size. Big-endian throughout, as the format says.
 *
 * Values: objects become null-prototype records; strongly typed arrays (`[$d#…`, the form
 * xgboost uses for tree arrays) become typed arrays (Float32Array, Int32Array, …) so a
 * 500-tree model is read without a JS number per element.
 */

export type UbjValue =
  | null
  | boolean
  | number
  | string
  | UbjValue[]
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Int32Array
  | UbjObject;

export interface UbjObject {
  [key: string]: UbjValue;
}

/** The file is not well-formed UBJSON (the message says where). */
export class UbjsonError extends Error {}

/** Deeper than any xgboost model (about 8 levels); a crafted file cannot exhaust the stack. */
const maxDepth = 64;

const fixedSize: Record<string, number> = { i: 1, U: 1, I: 2, l: 4, L: 8, d: 4, D: 8, C: 1 };

class Reader {
  private offset = 0;
  private readonly view: DataView;
  private readonly text = new TextDecoder('utf-8', { fatal: true });

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  get position(): number {
    return this.offset;
  }

  fail(what: string): never {
    throw new UbjsonError(`${what} at byte ${this.offset}`);
  }

  need(count: number, what: string): void {
    if (count > this.remaining) this.fail(`${what} needs ${count} bytes but only ${this.remaining} are left`);
  }

  marker(): string {
    this.need(1, 'a type marker');
    return String.fromCharCode(this.bytes[this.offset++]!);
  }

  peek(): string {
    this.need(1, 'a type marker');
    return String.fromCharCode(this.bytes[this.offset]!);
  }

  /** A scalar of a fixed-size numeric type. */
  number(type: string): number {
    const size = fixedSize[type];
    if (size === undefined) this.fail(`"${type}" is not a number type`);
    this.need(size, `a "${type}" number`);
    const at = this.offset;
    this.offset += size;
    switch (type) {
      case 'i':
        return this.view.getInt8(at);
      case 'U':
      case 'C':
        return this.view.getUint8(at);
      case 'I':
        return this.view.getInt16(at);
      case 'l':
        return this.view.getInt32(at);
      case 'L': {
        const value = this.view.getBigInt64(at);
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER))
          this.fail('an int64 is too large to be model data');
        return Number(value);
      }
      case 'd':
        return this.view.getFloat32(at);
      default:
        return this.view.getFloat64(at);
    }
  }

  /** A count or length: an integer of any width, never negative. */
  length(what: string): number {
    const type = this.marker();
    if (!'iUIlL'.includes(type)) this.fail(`${what} is not given as an integer`);
    const value = this.number(type);
    if (value < 0) this.fail(`${what} is negative`);
    return value;
  }

  string(): string {
    const length = this.length('a string length');
    this.need(length, 'a string');
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    try {
      return this.text.decode(slice);
    } catch {
      return this.fail('a string is not valid UTF-8');
    }
  }

  value(type: string, depth: number): UbjValue {
    switch (type) {
      case 'Z':
        return null;
      case 'T':
        return true;
      case 'F':
        return false;
      case 'S':
      case 'H':
        return this.string();
      case 'C':
        return String.fromCharCode(this.number('C'));
      case '[':
        return this.array(depth + 1);
      case '{':
        return this.object(depth + 1);
      default:
        if (fixedSize[type] !== undefined) return this.number(type);
        return this.fail(`unknown type marker "${type}"`);
    }
  }

  /** `$type#count` after a container's opening: the optimized (typed, counted) form. */
  private header(): { type?: string; count?: number } {
    let type: string | undefined;
    if (this.peek() === '$') {
      this.offset++;
      type = this.marker();
      // Legal UBJSON but never written by xgboost: a counted run of zero-byte values could
      // claim billions of elements in a few bytes.
      if ('NZTF'.includes(type)) this.fail(`a typed container of "${type}" is not model data`);
      if (this.peek() !== '#') this.fail('a typed container has no count');
    }
    if (this.peek() === '#') {
      this.offset++;
      return { ...(type ? { type } : {}), count: this.length('a container count') };
    }
    return {};
  }

  array(
    depth: number,
  ): UbjValue[] | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Int32Array {
    if (depth > maxDepth) this.fail(`data nests more than ${maxDepth} levels deep`);
    const { type, count } = this.header();
    if (count !== undefined && type !== undefined && fixedSize[type] !== undefined && type !== 'L') {
      return this.typedArray(type, count);
    }
    const items: UbjValue[] = [];
    if (count !== undefined) {
      // Every element takes at least one byte (a marker or, typed, its payload).
      this.need(count, `an array of ${count} elements`);
      for (let i = 0; i < count; i++) items.push(this.value(type ?? this.marker(), depth));
      return items;
    }
    for (;;) {
      const marker = this.marker();
      if (marker === ']') return items;
      if (marker === 'N') continue;
      items.push(this.value(marker, depth));
    }
  }

  private typedArray(type: string, count: number) {
    const size = fixedSize[type]!;
    this.need(count * size, `an array of ${count} "${type}" values`);
    const at = this.offset;
    this.offset += count * size;
    const read = <T extends { [index: number]: number }>(out: T, get: (offset: number) => number): T => {
      for (let i = 0; i < count; i++) out[i] = get(at + i * size);
      return out;
    };
    switch (type) {
      case 'i':
        return read(new Int8Array(count), (o) => this.view.getInt8(o));
      case 'U':
      case 'C':
        return this.bytes.slice(at, at + count);
      case 'I':
        return read(new Int16Array(count), (o) => this.view.getInt16(o));
      case 'l':
        return read(new Int32Array(count), (o) => this.view.getInt32(o));
      case 'd':
        return read(new Float32Array(count), (o) => this.view.getFloat32(o));
      default:
        return read(new Float64Array(count), (o) => this.view.getFloat64(o));
    }
  }

  object(depth: number): UbjObject {
    if (depth > maxDepth) this.fail(`data nests more than ${maxDepth} levels deep`);
    const { type, count } = this.header();
    const out: UbjObject = Object.create(null);
    if (count !== undefined) {
      this.need(count, `an object of ${count} entries`);
      for (let i = 0; i < count; i++) {
        const key = this.string();
        out[key] = this.value(type ?? this.marker(), depth);
      }
      return out;
    }
    for (;;) {
      if (this.peek() === '}') {
        this.offset++;
        return out;
      }
      if (this.peek() === 'N') {
        this.offset++;
        continue;
      }
      const key = this.string();
      out[key] = this.value(this.marker(), depth);
    }
  }
}

/** Reads one UBJSON value that fills `bytes` exactly. */
export function decodeUbjson(bytes: Uint8Array): UbjValue {
  const reader = new Reader(bytes);
  const value = reader.value(reader.marker(), 0);
  if (reader.remaining > 0) reader.fail('data continues after the end of the value');
  return value;
}
