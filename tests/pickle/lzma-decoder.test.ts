import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32, crc64 } from '../../main/codecs/lzma/checksums.ts';
import {
  decodeLzmaAlone,
  decodeXz,
  LzmaError,
  type LzmaFailure,
  xzDeclaredSize,
} from '../../main/codecs/lzma/index.ts';
import { copyMatch } from '../../main/codecs/lzma/lzma-decoder.ts';
import { decodeLzma2 } from '../../main/codecs/lzma/lzma2.ts';
import { OutputBuffer } from '../../main/codecs/lzma/output-buffer.ts';
import { AppError } from '../../main/errors.ts';
import { decompress } from '../../main/sklearn/pickle/decompress.ts';
import { modelRow } from '../helpers/models-table.ts';
import { encodeLiteralsOnly } from './lzma-literal-encoder.ts';

// Fixtures and their originals' hashes come from Python's liblzma (scripts/fixtures/lzma/make_lzma_fixtures.py);
// each file's decoding (size and SHA-256, or the exact refusal, bombs under a 16 MiB limit included) is a row of
// tests/fixtures/models.json, run by tests/core/model-files.test.ts. Here: limits, and what files can't show.
const dir = join(import.meta.dirname, '..', 'fixtures', 'lzma');
const read = (file: string) => new Uint8Array(readFileSync(join(dir, file)));
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

function failureOf(run: () => unknown): LzmaFailure {
  try {
    run();
  } catch (error) {
    if (error instanceof LzmaError) return error.reason;
    throw error;
  }
  throw new Error('decoded without an error');
}

describe('xz and lzma-alone decoding', () => {
  it('accepts output of exactly the limit and refuses one byte less', () => {
    const file = read('text.xz');
    const size = modelRow('tests/fixtures/lzma/text.xz').decoded!.size;
    expect(decodeXz(file, size).length).toBe(size);
    expect(failureOf(() => decodeXz(file, size - 1))).toBe('too-large');
    expect(decodeLzmaAlone(read('text.lzma'), size).length).toBe(size);
    expect(failureOf(() => decodeLzmaAlone(read('text.lzma'), size - 1))).toBe('too-large');
  });

  it('refuses a header that declares more than the limit before decoding', () => {
    expect(failureOf(() => decodeLzmaAlone(read('text_known_size.lzma'), 100))).toBe('too-large');
    expect(failureOf(() => decodeXz(read('repetitive_5mb_blocks.xz'), MiB))).toBe('too-large');
  });
});

// Issue 18: memory is the output's own size (main/codecs/lzma/output-buffer.ts). The peak RSS of whole files
// over and just under the 1 GiB limit is measured in tests/pickle/hostile-limits.test.ts.
describe('memory', () => {
  it('grows an output of unknown size in place, up to the limit and no further', () => {
    const out = OutputBuffer.upTo(3 * MiB, 0);
    const buffer = out.bytes.buffer;
    out.append(new Uint8Array(2 * MiB).fill(7));
    out.append(new Uint8Array(MiB).fill(8));
    expect(out.bytes.buffer).toBe(buffer); // never copied into a larger one
    const result = out.result();
    expect([result.length, result[2 * MiB - 1], result[2 * MiB], result[3 * MiB - 1]]).toEqual([
      3 * MiB,
      7,
      8,
      8,
    ]);
    expect(failureOf(() => out.reserve(1))).toBe('too-large');
  });

  it('holds a declared size exactly, and calls more data what the caller says it is', () => {
    const out = OutputBuffer.exactly(10, () => new LzmaError('corrupt', 'more than declared'));
    out.append(new Uint8Array(10));
    expect(out.bytes.length).toBe(10);
    expect(() => out.reserve(1)).toThrow('more than declared');
  });

  // text.xz with its index rewritten to declare another size (its checksum recomputed: only the size lies).
  function xzDeclaring(size: number): Uint8Array {
    const file = read('text.xz');
    const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
    const indexSize = (view.getUint32(file.length - 8, true) + 1) * 4;
    const indexStart = file.length - 12 - indexSize;
    // indicator, one record, its unpadded size (2 bytes for text.xz), then the uncompressed size
    expect([file[indexStart], file[indexStart + 1]]).toEqual([0, 1]);
    const at = indexStart + 4;
    const varint = [size & 0x7f, (size >> 7) & 0x7f, size >> 14]; // 3 bytes, as text.xz's own 20000
    file.set([varint[0]! | 0x80, varint[1]! | 0x80, varint[2]!], at);
    view.setUint32(
      indexStart + indexSize - 4,
      crc32(file.subarray(indexStart, indexStart + indexSize - 4)),
      true,
    );
    return file;
  }

  it('allocates the size an xz index declares, and calls data that holds more damaged', () => {
    const size = modelRow('tests/fixtures/lzma/text.xz').decoded!.size;
    expect(xzDeclaredSize(xzDeclaring(size))).toBe(size);
    expect(decodeXz(xzDeclaring(size), MiB).length).toBe(size);
    const lying = xzDeclaring(size - 1);
    expect(xzDeclaredSize(lying)).toBe(size - 1);
    expect(() => decodeXz(lying, MiB)).toThrow('the xz data holds more than its index declares');
  });

  it('allocates nothing from a hostile lzma-alone dictionary size (4 GiB)', () => {
    const file = read('text.lzma');
    file.set([0xff, 0xff, 0xff, 0xff], 1);
    const out = decodeLzmaAlone(file, GiB);
    expect(out.buffer.byteLength).toBeLessThan(MiB); // memory committed; a reservation up to the limit costs none
    expect(sha256(out)).toBe(modelRow('tests/fixtures/lzma/text.lzma').decoded!.sha256);
  });

  it('copies long matches as LZMA defines them: byte by byte, so an overlap repeats the last bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.integer({ min: 1, max: 1000 }),
        (prefix, d, len) => {
          const distance = 1 + (d % prefix.length);
          const expected = new Uint8Array(prefix.length + len);
          expected.set(prefix);
          for (let i = prefix.length; i < expected.length; i++) expected[i] = expected[i - distance]!;
          const actual = new Uint8Array(prefix.length + len);
          actual.set(prefix);
          copyMatch(actual, prefix.length - distance, prefix.length, len);
          expect(actual).toEqual(expected);
        },
      ),
      { numRuns: 500, seed: 18 },
    );
  });
});

describe('CRC-64 (the xz check joblib files carry)', () => {
  // Bit by bit in BigInt, from the definition (ECMA-182 polynomial, reflected, inverted in and out).
  function reference(data: Uint8Array): bigint {
    let crc = 0xffffffffffffffffn;
    for (const byte of data) {
      crc ^= BigInt(byte);
      for (let k = 0; k < 8; k++) crc = crc & 1n ? (crc >> 1n) ^ 0xc96c5795d7870f42n : crc >> 1n;
    }
    return crc ^ 0xffffffffffffffffn;
  }
  const asNumber = (bytes: Uint8Array) => new DataView(bytes.buffer).getBigUint64(0, true);

  it('gives the standard check value and agrees with the definition at every length and alignment', () => {
    expect(asNumber(crc64(new TextEncoder().encode('123456789')))).toBe(0x995dc9bbdf1939fan);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat({ max: 7 }), (data, skip) => {
        const part = data.subarray(Math.min(skip, data.length));
        expect(asNumber(crc64(part))).toBe(reference(part));
      }),
      { numRuns: 300, seed: 64 },
    );
  });
});

describe('lzma-alone with a known size and no end marker', () => {
  it('decodes any bytes under any lc/lp/pb, ending exactly at the declared size', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.integer({ min: 0, max: 8 }),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        (data, lc, lp, pb) => {
          const file = encodeLiteralsOnly(data, lc, lp, pb);
          expect(sha256(decodeLzmaAlone(file, MiB))).toBe(sha256(data));
        },
      ),
      { numRuns: 100, seed: 11 },
    );
  });

  it('refuses data that goes on past the declared size', () => {
    const file = encodeLiteralsOnly(new TextEncoder().encode('abcdefgh'.repeat(20)));
    file[5] = 100; // declare 100 of the 160 bytes: the range coder is not finished there
    expect(() => decodeLzmaAlone(file, MiB)).toThrow('the data goes on past the size the header declares');
  });
});

describe('damaged input', () => {
  // Crafted range-coder bytes whose first symbol is a match (repeated, then plain): there is no
  // earlier output to copy from, so the decoder must refuse rather than read outside its buffer.
  it.each([
    ['a repeated match', [0, 0xff, 0xff, 0xff, 0]],
    ['a match', [0, 0xa0, 0, 0, 0]],
  ])('refuses %s that reaches before the first byte', (_name, code) => {
    const header = [0x5d, 0, 0, 1, 0, ...new Array(8).fill(0xff)];
    const bytes = Uint8Array.from([...header, ...code, ...new Array(20).fill(0x55)]);
    expect(() => decodeLzmaAlone(bytes, MiB)).toThrow('a match reaches before the start of the data');
  });

  const cleanFailures: LzmaFailure[] = ['corrupt', 'truncated', 'unsupported', 'too-large'];

  it.each(['text.xz', 'text.lzma', 'mixed.xz', 'two_streams_padded.xz', 'text_known_size.lzma'])(
    'reports every truncation of %s as truncated or corrupt',
    (file) => {
      const bytes = read(file);
      const limit = 4 * MiB;
      for (let length = 0; length < bytes.length; length += length < 64 ? 1 : 97) {
        const reason = failureOf(() =>
          (file.endsWith('.xz') ? decodeXz : decodeLzmaAlone)(bytes.subarray(0, length), limit),
        );
        expect(['truncated', 'corrupt']).toContain(reason);
      }
    },
  );

  // xz carries checks on every header, block and index: a changed byte is either caught or lands
  // where it changes nothing (padding cannot be changed: it must be zero).
  it.each(['text.xz', 'text_check_crc64.xz', 'text_check_sha256.xz', 'mixed.xz', 'two_streams_padded.xz'])(
    'never returns wrong bytes from %s with a byte changed',
    (file) => {
      const bytes = read(file);
      const { sha256: original } = modelRow(`tests/fixtures/lzma/${file}`).decoded!;
      fc.assert(
        fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
          const damaged = bytes.slice();
          damaged[at] = (damaged[at] as number) ^ flip;
          try {
            const out = decodeXz(damaged, 4 * MiB);
            expect(sha256(out)).toBe(original);
          } catch (error) {
            if (!(error instanceof LzmaError)) throw error;
            expect(cleanFailures).toContain(error.reason);
          }
        }),
        { numRuns: 300, seed: 42 },
      );
    },
  );

  // lzma-alone has no check at all: a changed byte may decode to other bytes, but it must end
  // in bounded time with either some output or a clean error.
  it('decodes changed lzma-alone files to some output or a clean error, within the limit', () => {
    const bytes = read('text.lzma');
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (at, flip) => {
        const damaged = bytes.slice();
        damaged[at] = (damaged[at] as number) ^ flip;
        try {
          expect(decodeLzmaAlone(damaged, MiB).length).toBeLessThanOrEqual(MiB);
        } catch (error) {
          if (!(error instanceof LzmaError)) throw error;
          expect(cleanFailures).toContain(error.reason);
        }
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('fails cleanly (or decodes something) on random bytes behind a valid header', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 2000 }), (tail) => {
        const alone = Uint8Array.from([0x5d, 0, 0, 0x80, 0, ...new Array(8).fill(0xff), ...tail]);
        const xzHead = read('text.xz').subarray(0, 12);
        for (const [decode, bytes] of [
          [decodeLzmaAlone, alone],
          [decodeXz, Uint8Array.from([...xzHead, ...tail])],
        ] as const) {
          try {
            decode(bytes, 64 * 1024);
          } catch (error) {
            if (!(error instanceof LzmaError)) throw error;
          }
        }
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

describe('decompress() for xz and lzma joblib files', () => {
  function appErrorOf(run: () => unknown): AppError {
    try {
      run();
    } catch (error) {
      if (error instanceof AppError) return error;
      throw error;
    }
    throw new Error('decompressed without an error');
  }

  it.each([
    ['bomb_64mb_zeros.xz', 'xz'],
    ['bomb_64mb_zeros.lzma', 'lzma'],
  ] as const)('refuses the %s bomb as a refused pickle over maxFileBytes', (file, kind) => {
    const error = appErrorOf(() => decompress(read(file), kind, 16 * MiB));
    expect(error.code).toBe('refused-pickle');
    expect(error.details).toEqual({ limit: 'maxFileBytes' });
    expect(error.message).toBe('refused: the file decompresses to more than 16 MB, the limit for one model');
  });

  it('reports a BCJ-filtered xz file as an unsupported model, naming the filter', () => {
    const error = appErrorOf(() => decompress(read('text_x86_bcj.xz'), 'xz', GiB));
    expect(error.code).toBe('unsupported-model');
    expect(error.message).toMatch(
      /^ModelDock cannot read this xz-compressed file: it uses the x86 BCJ filter/,
    );
  });

  it('reports a failed check and a truncation as a corrupt model', () => {
    const flipped = read('text_check_sha256.xz');
    const at = flipped.length - 40; // inside the SHA-256 of the only block (index and footer: 24 bytes)
    flipped[at] = (flipped[at] as number) ^ 1;
    const damaged = appErrorOf(() => decompress(flipped, 'xz', GiB));
    expect(damaged.code).toBe('corrupt-model');
    expect(damaged.message).toBe('This xz-compressed file is damaged: an xz block fails its SHA-256 check.');
    const cut = appErrorOf(() => decompress(read('text.lzma').subarray(0, 500), 'lzma', GiB));
    expect(cut.code).toBe('corrupt-model');
    expect(cut.message).toBe('This lzma-compressed file is truncated.');
  });
});

describe('LZMA2 chunks', () => {
  const ascii = (s: string) => Array.from(s, (c) => c.charCodeAt(0));
  const decode = (chunks: number[], limit = MiB) => {
    const out = OutputBuffer.upTo(limit, 0);
    const end = decodeLzma2(Uint8Array.from(chunks), 0, out);
    return { text: new TextDecoder().decode(out.result()), end };
  };

  it('copies uncompressed chunks and stops at the end byte', () => {
    // 0x01: reset the dictionary, 3 bytes; 0x02: 1 more byte; 0x00: end (the trailing 0x55 is not read).
    const chunks = [0x01, 0x00, 0x02, ...ascii('abc'), 0x02, 0x00, 0x00, ...ascii('d'), 0x00, 0x55];
    expect(decode(chunks)).toEqual({ text: 'abcd', end: chunks.length - 1 });
  });

  it.each([
    ['a first chunk without a dictionary reset', [0x02, 0x00, 0x00, 0x61, 0x00], /dictionary reset/],
    ['an undefined control byte', [0x01, 0x00, 0x00, 0x61, 0x03], /invalid LZMA2 control byte 0x3/],
    [
      'an LZMA chunk before any properties',
      [0x01, 0x00, 0x00, 0x61, 0x80, 0, 0, 0, 4],
      /lacks the properties/,
    ],
    [
      'properties with lc + lp > 4 (lc=4 lp=1)',
      [0xe0, 0, 0, 0, 4, 0x0d, 0, 0, 0, 0, 0],
      /invalid properties/,
    ],
  ])('refuses %s', (_name, chunks, message) => {
    expect(() => decode(chunks)).toThrow(message);
  });

  it('refuses a chunk that declares more output than the limit before decoding it', () => {
    // Reset everything, 2 MiB uncompressed from 6 compressed bytes, lc=3 lp=0 pb=2.
    const chunk = [0xff, 0xff, 0xff, 0x00, 0x05, 0x5d, 0, 0, 0, 0, 0, 0];
    expect(failureOf(() => decode(chunk, MiB))).toBe('too-large');
    expect(failureOf(() => decode(chunk, 4 * MiB))).not.toBe('too-large');
  });

  it('reports a chunk cut short as truncated', () => {
    expect(failureOf(() => decode([0x01, 0x00, 0x09, ...ascii('abc')]))).toBe('truncated');
  });
});
