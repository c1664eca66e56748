// Pure-TypeScript xz and lzma-alone decoders that stop at a byte limit while decoding and hold no more
// memory than their output, so a decompression bomb is refused before it allocates more than the limit
// (see output-buffer.ts and decompress.ts).
export { decodeLzmaAlone } from './lzma-alone.ts';
export { LzmaError, type LzmaFailure } from './lzma-error.ts';
export { decodeXz, xzDeclaredSize } from './xz.ts';
