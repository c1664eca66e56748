import { LzmaDecoder, parsePropertiesByte } from './lzma-decoder.ts';
import { corruptData, LzmaError, truncatedData } from './lzma-error.ts';
import { OutputBuffer } from './output-buffer.ts';
import { RangeDecoder } from './range-decoder.ts';

const HEADER_SIZE = 13;

/**
 * Decodes an "lzma alone" file (LZMA SDK's .lzma; Python's FORMAT_ALONE; joblib's compress='lzma'):
 * a properties byte, a 32-bit dictionary size, a 64-bit uncompressed size (all ones: unknown, the
 * data then ends with an end marker), then one LZMA1 stream. Never outputs more than maxBytes.
 * The dictionary size is not used (the output buffer is the dictionary), so a hostile one allocates
 * nothing. A known size is allocated exactly; an unknown one (what joblib writes) grows in place.
 */
export function decodeLzmaAlone(bytes: Uint8Array, maxBytes: number): Uint8Array {
  if (bytes.length < HEADER_SIZE) throw truncatedData();
  const properties = parsePropertiesByte(bytes[0] as number);
  if (!properties) throw corruptData('the lzma header has an invalid properties byte');
  const view = new DataView(bytes.buffer, bytes.byteOffset, HEADER_SIZE);
  const sizeLow = view.getUint32(5, true);
  const sizeHigh = view.getUint32(9, true);
  const sizeKnown = !(sizeLow === 0xffffffff && sizeHigh === 0xffffffff);
  const size = sizeHigh * 2 ** 32 + sizeLow;
  if (sizeKnown && size > maxBytes) {
    throw new LzmaError('too-large', `the header declares ${size} bytes, more than ${maxBytes}`);
  }

  // The decoder stops at a known size, so the data cannot write past it (it may hold less: an end
  // marker before it is damage, below).
  const out = sizeKnown
    ? OutputBuffer.exactly(size, () => corruptData('the data goes on past the size the header declares'))
    : OutputBuffer.upTo(maxBytes, bytes.length);
  const rc = new RangeDecoder(bytes, HEADER_SIZE, bytes.length, true);
  const decoder = new LzmaDecoder(properties);
  const sawEndMarker = decoder.decode(rc, out, 0, sizeKnown ? size : Number.POSITIVE_INFINITY, true);
  if (sizeKnown) {
    if (sawEndMarker) throw corruptData('the data ends before the size the header declares');
    // The size was reached; an end marker may still follow (LZMA SDK: "finished with marker").
    if (!rc.finishedCleanly) decoder.readEndMarker(rc, out.length);
  }
  if (!rc.finishedCleanly) throw corruptData('the range coder did not finish cleanly');
  return out.result();
}
