import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { loadPickleFile } from '../../main/sklearn/pickle/index.ts';

const dir = join(import.meta.dirname, '..', 'fixtures', 'pickle', 'hostile');
interface Hostile {
  file: string;
  /** The global the reader must name; null for persistent ids, extensions and buffers. */
  global: string | null;
  canary: string;
}
const manifest: Hostile[] = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));

async function loadError(path: string): Promise<AppError> {
  try {
    await loadPickleFile(path);
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error(`${path} loaded without an error`);
}

describe('hostile pickles are refused and nothing runs', () => {
  it('covers every payload alone and hidden in a pipeline, through each way of calling', () => {
    const files = manifest.map((h) => h.file);
    for (const payload of ['os_system', 'subprocess_popen', 'builtins_eval', 'builtins_exec']) {
      for (const variant of ['alone_p0', 'alone_p2', 'alone_p4', 'pipeline_p2', 'pipeline_p4']) {
        expect(files).toContain(`${payload}_${variant}.pkl`);
      }
    }
    for (const payload of [
      'posix_system',
      'os_system',
      'subprocess_popen',
      'builtins_eval',
      'builtins_exec',
    ]) {
      for (const way of ['global', 'stack_global', 'inst', 'obj'])
        expect(files).toContain(`hand_${payload}_${way}.pkl`);
    }
    expect(files).toContain('persistent_id_p0.pkl');
    expect(files).toContain('persistent_id_p2.pkl');
  });

  it.each(manifest)('$file', async ({ file, global, canary }) => {
    rmSync(canary, { force: true });
    const error = await loadError(join(dir, file));
    if (global?.startsWith('sklearn.')) {
      // Still never called; named as a scikit-learn model ModelDock cannot read rather than as malware.
      expect(error.code).toBe('unsupported-model');
      expect(error.message).toContain(`it uses ${global}, which ModelDock does not load`);
      expect(error.details).toMatchObject({ global });
    } else if (global) {
      expect(error.code).toBe('refused-pickle');
      expect(error.message).toBe(`refused: the file calls ${global}, which is not model data`);
      expect(error.details).toMatchObject({ global });
    } else {
      expect(error.code).toBe('refused-pickle');
      expect(error.message).toMatch(
        /^refused: the file uses (a persistent id|the copyreg extension|an out-of-band)/,
      );
    }
    // Give a spawned process (had anything been spawned) time to create the file.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(existsSync(canary)).toBe(false);
  });
});
