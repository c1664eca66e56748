// Pure-TypeScript xz and lzma-alone decoders that stop at a byte limit while decoding, so a
// decompression bomb is refused before it allocates more than the limit (see decompress.ts).
export { decodeLzmaAlone } from './lzma-alone.ts';
export { LzmaError, type LzmaFailure } from './lzma-error.ts';
export { decodeXz } from './xz.ts';
