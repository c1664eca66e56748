// The part of yazl (no bundled types) the bundle archiver uses.
declare module 'yazl' {
  import type { Readable } from 'node:stream';

  export class ZipFile {
    outputStream: Readable;
    addFile(
      realPath: string,
      metadataPath: string,
      options?: { mode?: number; compress?: boolean; mtime?: Date },
    ): void;
    addEmptyDirectory(metadataPath: string, options?: { mode?: number; mtime?: Date }): void;
    end(options?: { forceZip64Format?: boolean }, callback?: () => void): void;
  }
}
