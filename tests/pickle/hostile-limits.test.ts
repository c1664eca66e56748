// Tiny files that used to crash, freeze or exhaust ModelDock (issue 18), made and proven by
// scripts/fixtures/pickle/make_hostile_limits.py. Each must be answered by `modeldock inspect` with
// exit 3 and the exact message in the manifest, well within the 15 s budget for opening any file.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliCaptured } from '../helpers/run-cli.ts';

const dir = path.join(import.meta.dirname, '..', 'fixtures', 'pickle', 'limits');
interface Case {
  file: string;
  bytes: number;
  code: string;
  message: string;
  why: string;
}
const manifest: Case[] = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8'));

const work = mkdtempSync(path.join(os.tmpdir(), 'modeldock-hostile-limits-'));
const previousDataDir = process.env.MODELDOCK_DATA_DIR;
beforeAll(() => {
  process.env.MODELDOCK_DATA_DIR = path.join(work, 'data');
});
afterAll(() => {
  if (previousDataDir === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = previousDataDir;
  rmSync(work, { recursive: true, force: true });
});

const decompressingToAGiB = [
  'bomb_bz2_1100mb.joblib',
  'bomb_lzma_1100mb.joblib',
  'lzma_1000mb_zeros.joblib',
  'xz_1000mb_zeros.joblib',
  'xz_index_lies_1100mb.joblib',
];

describe('crafted files are refused cleanly, within the budget', () => {
  it('covers every case of the issue', () => {
    const files = manifest.map((c) => c.file);
    for (const name of [
      'array_u0_1e12.pkl',
      'array_s0_1e12.pkl',
      'array_record0_1e12.pkl',
      'joblib_wrapper_u0_1e12.joblib',
      'additems_500k.joblib',
      'binstring_600mb.joblib',
      'binunicode_600mb.joblib',
      'laughs_40.pkl',
      'bomb_bz2_1100mb.joblib',
      'bomb_lzma_1100mb.joblib',
      'lzma_1000mb_zeros.joblib',
      'xz_1000mb_zeros.joblib',
      'xz_index_lies_1100mb.joblib',
      'stacked_posix_system.pkl',
      'stacked_trailing_bytes.pkl',
    ]) {
      expect(files).toContain(name);
    }
    expect(files.filter((f) => f.startsWith('headerless_')).length).toBeGreaterThanOrEqual(3);
    expect(files.filter((f) => f.startsWith('frame_')).length).toBeGreaterThanOrEqual(2);
    for (const c of manifest) expect(c.bytes, c.file).toBeLessThan(1024 * 1024);
  });

  // Files that decompress to about 1 GiB are opened once, in a process of their own, where peak RSS is measured.
  it.each(manifest.filter((c) => !decompressingToAGiB.includes(c.file)))(
    '$file: $why',
    {
      timeout: 60_000,
    },
    async ({ file, message }) => {
      const started = performance.now();
      const result = await runCliCaptured(['inspect', path.join(dir, file)]);
      const seconds = (performance.now() - started) / 1000;
      expect(result.stderr).toBe(`modeldock: ${message}\n`);
      expect(result.code).toBe(3);
      expect(seconds).toBeLessThan(15);
    },
  );
});

// The budget's memory half: a process's peak RSS counts the reading worker's ArrayBuffers, which its heap
// limit does not. Decompressed sizes were undeclared (bz2, lzma-alone as joblib writes it) or could lie (an xz
// index), and a buffer that grew by copying held 1.5× the output: 2.1 GB for the bz2 bomb, 1.8 GB for the lzma
// one, 1.7 GB for legitimate 1000 MB lzma and xz files, under the 1 GiB limit. Now the output alone counts.
describe('memory', () => {
  const timeBudgetRefusal =
    'modeldock: refused: reading this file took longer than 15 s, the limit for opening one model\n';
  /** The process's own start and exit around the reader's 15 s budget, on a loaded CI machine. */
  const startAndStopSlack = 5;
  const root = path.resolve(import.meta.dirname, '../..');
  const reportRss = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxRssKb='+process.resourceUsage().maxRSS+'\\n'))`;

  it.each(manifest.filter((c) => decompressingToAGiB.includes(c.file)))(
    '$file: $why; answered by `modeldock inspect` within 15 s and 1.3 GB of peak RSS',
    { timeout: 60_000 },
    async ({ file, message }) => {
      const started = performance.now();
      const result = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', reportRss, 'bin/modeldock.mjs', 'inspect', path.join(dir, file)],
          { cwd: root, env: { ...process.env, MODELDOCK_DATA_DIR: path.join(work, 'data') } },
          (error, _stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stderr }),
        );
      });
      const seconds = (performance.now() - started) / 1000;
      const [answer, rssLine] = result.stderr.split(/(?<=\n)/);
      // Each takes seconds of decoding: on a machine loaded enough to stretch that past the 15 s budget, the
      // budget's own refusal is the answer, also clean (exit 3, named limit). Either way never a crash or a stall.
      expect([`modeldock: ${message}\n`, timeBudgetRefusal]).toContain(answer);
      expect(result.code).toBe(3);
      expect(seconds).toBeLessThan(15 + startAndStopSlack);
      const rssKb = Number(/^maxRssKb=(\d+)\n$/.exec(rssLine ?? '')?.[1]);
      expect(rssKb).toBeGreaterThan(0);
      expect(rssKb / 1024).toBeLessThan(1300);
    },
  );
});
