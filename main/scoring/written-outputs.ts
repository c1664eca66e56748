import { realpath } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '../errors.ts';

/**
 * The scored CSVs (and their errors files) this app wrote: the only files the results table may
 * read (batch.rows). The table takes a path from the renderer, which in browser mode is any page
 * holding the launch token; without this a caller could have any CSV-like file on the disk read back
 * to it, a row at a time. Files written in this process are remembered by their real path (symlinks
 * resolved when written); files of earlier launches are the outputs the library's run history records.
 */
export class WrittenOutputs {
  private readonly known = new Set<string>();

  constructor(
    /** Output and errors paths of runs kept in the history (the library's runs), read when needed. */
    private readonly earlier: () => Promise<Iterable<string>> = async () => [],
  ) {}

  /** Remembers a file a run has just written. */
  async add(filePath: string): Promise<void> {
    const resolved = path.resolve(filePath);
    this.known.add(resolved);
    const real = await realpath(resolved).catch(() => undefined);
    if (real) this.known.add(real);
  }

  /** The real path of an output this app wrote, or an error saying why the file is not read. */
  async resolve(filePath: string): Promise<string> {
    const resolved = path.resolve(filePath);
    const real = await realpath(resolved).catch(() => undefined);
    // The file as it is now: a path whose file was swapped for a link elsewhere no longer matches.
    const key = real ?? resolved;
    let written = this.known.has(key);
    if (!written) {
      const recorded = new Set(Array.from(await this.earlier(), (entry) => path.resolve(entry)));
      written = recorded.has(resolved) || recorded.has(key);
      if (written) this.known.add(key);
    }
    if (!written) {
      throw new AppError(
        'unauthorized',
        `${path.basename(resolved)} is not an output ModelDock wrote, so the results table won't read it; it shows the scored CSVs of runs in this app and in its run history.`,
      );
    }
    if (real === undefined) {
      throw new AppError(
        'file-not-found',
        `${path.basename(resolved)} is no longer there; score the file again.`,
      );
    }
    return real;
  }
}
