import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, createGunzip, createInflate, gunzipSync, inflateSync } from 'node:zlib';
import Bunzip from 'seek-bzip';
import { decodeLzmaAlone, decodeXz, LzmaError } from '../../codecs/lzma/index.ts';
import { corrupt, refused, unsupported } from './pickle-errors.ts';

/** Whole-file compressions joblib writes (joblib/compressor.py), detected by magic bytes. */
export type Compression = 'zlib' | 'gzip' | 'bz2' | 'xz' | 'lzma' | 'zfile';

export function detectCompression(head: Uint8Array): Compression | null {
  const b = (i: number) => head[i] ?? -1;
  if (b(0) === 0x1f && b(1) === 0x8b) return 'gzip';
  if (b(0) === 0x42 && b(1) === 0x5a && b(2) === 0x68) return 'bz2';
  if (b(0) === 0xfd && b(1) === 0x37 && b(2) === 0x7a && b(3) === 0x58 && b(4) === 0x5a) return 'xz';
  // lzma "alone" header: properties byte 0x5d then a little-endian dictionary size.
  if (b(0) === 0x5d && b(1) === 0x00) return 'lzma';
  // joblib < 0.9.3: "ZF" + hex length, then zlib.
  if (b(0) === 0x5a && b(1) === 0x46) return 'zfile';
  // zlib: deflate method, and the header checksum that every zlib stream carries.
  if (b(0) === 0x78 && b(1) >= 0 && ((b(0) << 8) | b(1)) % 31 === 0) return 'zlib';
  return null;
}

const MiB = 1024 * 1024;

function tooLarge(maxBytes: number): Error {
  return refused(
    `refused: the file decompresses to more than ${Math.round(maxBytes / MiB)} MB, the limit for one model`,
    { limit: 'maxFileBytes' },
  );
}

function damaged(kind: Compression): Error {
  return corrupt(`This ${kind}-compressed file is damaged: its compressed data cannot be read.`, {
    compression: kind,
  });
}

/** Decompresses a whole joblib file, never producing more than maxBytes. */
export function decompress(bytes: Uint8Array, kind: Compression, maxBytes: number): Uint8Array {
  switch (kind) {
    case 'zlib':
    case 'gzip':
    case 'zfile':
      return zlibFamily(bytes, kind, maxBytes);
    case 'bz2':
      return bunzip(bytes, maxBytes);
    case 'lzma':
    case 'xz':
      return lzmaFamily(bytes, kind, maxBytes);
  }
}

/**
 * xz and lzma-alone go through our own decoder (main/codecs/lzma), which stops at maxBytes while
 * decoding and holds no more memory than the output: an lzma-alone header usually leaves the size
 * unknown, and an xz index can lie, so checking the size after a native decoder had finished would
 * let a small hostile file allocate gigabytes.
 */
function lzmaFamily(bytes: Uint8Array, kind: 'xz' | 'lzma', maxBytes: number): Uint8Array {
  try {
    return kind === 'xz' ? decodeXz(bytes, maxBytes) : decodeLzmaAlone(bytes, maxBytes);
  } catch (error) {
    if (!(error instanceof LzmaError)) throw error;
    switch (error.reason) {
      case 'too-large':
        throw tooLarge(maxBytes);
      case 'truncated':
        throw corrupt(`This ${kind}-compressed file is truncated.`, { compression: kind });
      case 'unsupported':
        throw unsupported(`ModelDock cannot read this ${kind}-compressed file: ${error.message}.`, {
          compression: kind,
        });
      case 'corrupt':
        throw corrupt(`This ${kind}-compressed file is damaged: ${error.message}.`, { compression: kind });
    }
  }
}

function zlibFamily(bytes: Uint8Array, kind: Compression, maxBytes: number): Uint8Array {
  let data = bytes;
  if (kind === 'zfile') {
    // "ZF" + 19-character hex length (+ an optional space written by old Python 2 joblib).
    let start = 2 + 19;
    if (bytes[start] === 0x20) start++;
    data = bytes.subarray(start);
  }
  try {
    const options = { maxOutputLength: Math.max(1, maxBytes) };
    return kind === 'gzip' ? gunzipSync(data, options) : inflateSync(data, options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (error instanceof RangeError || code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    if (code === String(constants.Z_BUF_ERROR) || code === 'Z_BUF_ERROR') {
      throw corrupt(`This ${kind}-compressed file is truncated.`, { compression: kind });
    }
    throw damaged(kind);
  }
}

/**
 * zlib or gzip decompressed into one buffer of exactly the right size, for files read from disk (in the
 * conversion worker, where waiting costs nothing). inflateSync keeps every chunk until the end and then
 * concatenates them, so a 600 MB stream peaked at 1.2 GB; here a first pass only counts the bytes (and
 * stops at maxBytes), a second fills a buffer allocated once: the peak is the output itself.
 */
export async function inflateExactly(
  bytes: Uint8Array,
  kind: 'zlib' | 'gzip',
  maxBytes: number,
): Promise<Uint8Array> {
  const run = async (sink: (chunk: Buffer) => void) => {
    const source = Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]);
    // Large chunks: with zlib's 16 KB default, per-chunk overhead doubled the time of a 600 MB stream.
    const options = { chunkSize: 4 * 1024 * 1024 };
    const inflate = kind === 'gzip' ? createGunzip(options) : createInflate(options);
    const writable = new Writable({
      write(chunk: Buffer, _encoding, done) {
        try {
          sink(chunk);
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    });
    try {
      await pipeline(source, inflate, writable);
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'refused-pickle') throw error;
      const code = (error as { code?: string }).code;
      if (code === 'Z_BUF_ERROR' || code === String(constants.Z_BUF_ERROR))
        throw corrupt(`This ${kind}-compressed file is truncated.`, { compression: kind });
      throw damaged(kind);
    }
  };
  let size = 0;
  await run((chunk) => {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
  });
  const out = new Uint8Array(size);
  let at = 0;
  await run((chunk) => {
    if (at + chunk.length > size) throw damaged(kind);
    out.set(chunk, at);
    at += chunk.length;
  });
  return out;
}

/**
 * seek-bzip writes through an output stream we control, so the size limit holds while decoding. bz2 declares
 * no size, so a first pass only counts (and stops at maxBytes) and a second fills a buffer allocated once:
 * a growing buffer peaked at 1.5× the output (2.1 GB RSS for a 900-byte bomb), over the 1.3 GB budget.
 */
function bunzip(bytes: Uint8Array, maxBytes: number): Uint8Array {
  const input = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const decode = (output: { writeByte(byte: number): void }) => {
    try {
      Bunzip.decode(input, output, true);
    } catch (error) {
      if (error instanceof Error && 'code' in error && (error as { code: unknown }).code === 'refused-pickle')
        throw error;
      throw damaged('bz2');
    }
  };
  let size = 0;
  decode({
    writeByte() {
      if (++size > maxBytes) throw tooLarge(maxBytes);
    },
  });
  const buffer = new Uint8Array(size);
  let pos = 0;
  decode({
    writeByte(byte: number) {
      if (pos >= size) throw damaged('bz2');
      buffer[pos++] = byte;
    },
  });
  return buffer;
}
