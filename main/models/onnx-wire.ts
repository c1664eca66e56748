/**
 * Just enough of the protobuf wire format to walk a message's fields without decoding them.
 * Used to sniff ONNX files from their first bytes, to tell a truncated file from a foreign one,
 * and to rewrite a graph by copying untouched fields byte for byte (so fields newer than the
 * ONNX 1.10 schema in onnx-proto survive a rewrite).
 */

export const WireType = { varint: 0, fixed64: 1, lengthDelimited: 2, fixed32: 5 } as const;

/** One field of a message: its number, wire type and where it lies in the buffer. */
export interface WireField {
  field: number;
  wireType: number;
  /** Offset of the tag. */
  start: number;
  /** Offset of the value (after the tag and, for length-delimited fields, the length). */
  valueStart: number;
  /** Offset just past the value. */
  end: number;
  /** The value of varint fields (as a number; large values lose precision, which is fine here). */
  varint?: number;
}

/** Why a buffer is not a well-formed protobuf message. */
export class WireError extends Error {
  constructor(
    readonly kind: 'truncated' | 'invalid',
    message: string,
    /** For truncated: how many more bytes the last field needs. */
    readonly missingBytes = 0,
    readonly field = 0,
  ) {
    super(message);
    this.name = 'WireError';
  }
}

function readVarint(bytes: Uint8Array, offset: number, end: number): { value: number; next: number } {
  let value = 0;
  let factor = 1;
  for (let i = 0; i < 10; i++) {
    const at = offset + i;
    if (at >= end) throw new WireError('truncated', 'the data ends inside a number', 1);
    const byte = bytes[at]!;
    value += (byte & 0x7f) * factor;
    factor *= 128;
    if ((byte & 0x80) === 0) return { value, next: at + 1 };
  }
  throw new WireError('invalid', 'a number is longer than 10 bytes');
}

/** Reads the next field at `offset`; throws WireError when the bytes cannot be one. */
export function readField(bytes: Uint8Array, offset: number, end = bytes.length): WireField {
  const tag = readVarint(bytes, offset, end);
  const field = Math.floor(tag.value / 8);
  const wireType = tag.value % 8;
  if (field === 0) throw new WireError('invalid', 'field number 0 is not allowed');
  switch (wireType) {
    case WireType.varint: {
      const value = readVarint(bytes, tag.next, end);
      return { field, wireType, start: offset, valueStart: tag.next, end: value.next, varint: value.value };
    }
    case WireType.fixed64:
    case WireType.fixed32: {
      const size = wireType === WireType.fixed64 ? 8 : 4;
      if (tag.next + size > end) {
        throw new WireError('truncated', `field ${field} needs ${size} bytes`, tag.next + size - end, field);
      }
      return { field, wireType, start: offset, valueStart: tag.next, end: tag.next + size };
    }
    case WireType.lengthDelimited: {
      const length = readVarint(bytes, tag.next, end);
      const valueEnd = length.next + length.value;
      if (valueEnd > end) {
        throw new WireError(
          'truncated',
          `field ${field} declares ${length.value} bytes`,
          valueEnd - end,
          field,
        );
      }
      return { field, wireType, start: offset, valueStart: length.next, end: valueEnd };
    }
    default:
      throw new WireError('invalid', `wire type ${wireType} is not used by ONNX`);
  }
}

/** Every field of the message in bytes[start, end). Throws WireError on malformed or cut-off data. */
export function readFields(bytes: Uint8Array, start = 0, end = bytes.length): WireField[] {
  const fields: WireField[] = [];
  let offset = start;
  while (offset < end) {
    const field = readField(bytes, offset, end);
    fields.push(field);
    offset = field.end;
  }
  return fields;
}

export function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** A length-delimited field: tag, length, payload. */
export function encodeLengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const header = [...encodeVarint(field * 8 + WireType.lengthDelimited), ...encodeVarint(payload.length)];
  const out = new Uint8Array(header.length + payload.length);
  out.set(header, 0);
  out.set(payload, header.length);
  return out;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
