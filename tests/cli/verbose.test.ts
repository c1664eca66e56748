import { expect, test } from 'vitest';
import type { CommandContext } from '../../main/cli/command.ts';
import { reportError } from '../../main/cli/output.ts';
import { AppError } from '../../main/errors.ts';

function context(verbose: boolean): CommandContext & { err: string[] } {
  const err: string[] = [];
  const sink = { write: (text: string) => err.push(text) } as unknown as NodeJS.WritableStream;
  return { argv: [], services: undefined as never, stdout: sink, stderr: sink, verbose, err };
}

test('--verbose prints the stack of an unexpected error after its one sentence, exit 1', () => {
  const quiet = context(false);
  const verbose = context(true);
  const bug = new TypeError('Cannot read properties of undefined');
  expect(reportError(quiet, bug, false)).toBe(1);
  expect(reportError(verbose, bug, false)).toBe(1);
  expect(quiet.err).toHaveLength(1);
  expect(verbose.err[0]).toBe(quiet.err[0]);
  expect(verbose.err[1]).toContain('verbose.test.ts');
});

test('a typed error about the file or input never prints a stack, even with --verbose', () => {
  const verbose = context(true);
  expect(reportError(verbose, new AppError('unsupported-model', 'That file is not a model.'), false)).toBe(3);
  expect(verbose.err).toEqual(['modeldock: That file is not a model.\n']);
});
