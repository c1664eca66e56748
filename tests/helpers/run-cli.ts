import { Writable } from 'node:stream';
import { runCli } from '../../main/cli/index.ts';

/** Runs `modeldock <argv>` in this process and returns its exit code and what it printed. */
export async function runCliCaptured(
  argv: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
  const output = { stdout: '', stderr: '' };
  const sink = (name: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        output[name] += String(chunk);
        done();
      },
    });
  const code = await runCli(argv, { stdout: sink('stdout'), stderr: sink('stderr') });
  return { code, ...output };
}
