import { type AppErrorData, modelFileErrorCodes } from '../../shared/contract/index.ts';
import { AppError, toAppErrorData } from '../errors.ts';
import { type CommandContext, exitCodes } from './command.ts';

/**
 * Exit code for a typed error: 3 for an unusable model file, 4 for bad input data, 2 for a request
 * the user can fix on the command line (including an --out that exists or is the input).
 */
export function exitCodeFor(error: AppErrorData): number {
  if (modelFileErrorCodes.includes(error.code)) return exitCodes.modelUnusable;
  if (['invalid-payload', 'invalid-csv', 'mapping-incomplete'].includes(error.code))
    return exitCodes.invalidInput;
  if (['bad-request', 'output-exists', 'output-is-input'].includes(error.code)) return exitCodes.usage;
  if (error.code === 'cancelled') return exitCodes.interrupted;
  return exitCodes.failure;
}

/** Reports an error as one sentence on stderr, and as JSON on stdout with --json; returns the exit code. */
export function reportError(context: CommandContext, thrown: unknown, json: boolean): number {
  const error = toAppErrorData(thrown);
  if (json) context.stdout.write(`${JSON.stringify({ error }, null, 2)}\n`);
  context.stderr.write(`modeldock: ${error.message}\n`);
  // A bug or an I/O failure, not a typed error about the user's file or input: --verbose shows where.
  if (context.verbose && !(thrown instanceof AppError))
    context.stderr.write(`${thrown instanceof Error && thrown.stack ? thrown.stack : String(thrown)}\n`);
  return exitCodeFor(error);
}

export function writeJson(context: CommandContext, value: unknown): void {
  context.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
