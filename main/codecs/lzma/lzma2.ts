import { LzmaDecoder, type LzmaProperties, parsePropertiesByte } from './lzma-decoder.ts';
import { corruptData, truncatedData } from './lzma-error.ts';
import type { OutputBuffer } from './output-buffer.ts';
import { RangeDecoder } from './range-decoder.ts';

/**
 * Decodes one LZMA2 stream (the xz LZMA2 filter) that starts at input[start], appending to `out`.
 * Returns the offset just past its end byte (0x00). LZMA2 is a sequence of chunks, each opened
 * by a control byte:
 *   0x01 / 0x02            uncompressed chunk, with / without a dictionary reset
 *   0x80-0xFF              LZMA chunk; bits 5-6 say what resets first: 0 nothing, 1 the state,
 *                          2 state + new properties, 3 state + new properties + dictionary
 * Each LZMA chunk declares its sizes, and the whole chunk's output is reserved before decoding,
 * so a bomb is refused at the first chunk that would pass the limit.
 */
export function decodeLzma2(input: Uint8Array, start: number, out: OutputBuffer): number {
  const end = input.length;
  let p = start;
  let dictStart = out.length;
  let needDictionaryReset = true;
  let needProperties = true;
  let decoder: LzmaDecoder | undefined;
  const need = (count: number) => {
    if (p + count > end) throw truncatedData();
  };

  for (;;) {
    need(1);
    const control = input[p++] as number;
    if (control === 0x00) return p;
    if (control === 0x01 || control >= 0xe0) {
      dictStart = out.length;
      needDictionaryReset = false;
      needProperties = true; // liblzma: the next LZMA chunk after a dictionary reset sets properties
    } else if (needDictionaryReset) {
      throw corruptData('an LZMA2 stream does not start with a dictionary reset');
    }

    if (control < 0x80) {
      if (control > 0x02) throw corruptData(`invalid LZMA2 control byte 0x${control.toString(16)}`);
      need(2);
      const size = (((input[p] as number) << 8) | (input[p + 1] as number)) + 1;
      p += 2;
      need(size);
      out.append(input.subarray(p, p + size));
      p += size;
      continue;
    }

    need(4);
    const unpacked =
      (control & 0x1f) * 0x10000 + (((input[p] as number) << 8) | (input[p + 1] as number)) + 1;
    const packed = (((input[p + 2] as number) << 8) | (input[p + 3] as number)) + 1;
    p += 4;
    if (control >= 0xc0) {
      need(1);
      const properties = parsePropertiesByte(input[p++] as number);
      if (!properties || properties.lc + properties.lp > 4) {
        throw corruptData('an LZMA2 chunk has invalid properties');
      }
      if (decoder && sameProperties(decoder.properties, properties)) decoder.resetState();
      else decoder = new LzmaDecoder(properties);
      needProperties = false;
    } else if (control >= 0xa0 && !needProperties) {
      decoder?.resetState();
    }
    if (needProperties || !decoder) throw corruptData('an LZMA2 chunk lacks the properties it needs');
    need(packed);
    out.reserve(unpacked);
    const rc = new RangeDecoder(input, p, p + packed, false);
    decoder.decode(rc, out, dictStart, out.length + unpacked, false);
    if (rc.position !== p + packed || !rc.finishedCleanly) {
      throw corruptData('an LZMA2 chunk does not end where it declares');
    }
    p += packed;
  }
}

function sameProperties(a: LzmaProperties, b: LzmaProperties): boolean {
  return a.lc === b.lc && a.lp === b.lp && a.pb === b.pb;
}
