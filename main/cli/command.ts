import type { AppServices } from '../services.ts';

/** What every CLI command gets: its own arguments and the shared services. */
export interface CommandContext {
  argv: string[];
  services: AppServices;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  /** --verbose: unexpected errors print their stack, and the log prints every line. */
  verbose?: boolean;
}

export interface CliCommand {
  name: string;
  usage: string;
  run(context: CommandContext): Promise<number>;
}

/** Exit codes shared by every command (docs/cli.md documents them). */
export const exitCodes = {
  ok: 0,
  failure: 1,
  usage: 2,
  modelUnusable: 3,
  invalidInput: 4,
  /** Stopped by Ctrl-C or SIGTERM (128 + SIGINT, as shells report it); nothing was written. */
  interrupted: 130,
} as const;

/** Thrown for bad command-line usage; printed with the command's usage and exit code 2. */
export class UsageError extends Error {}

/** Runs a command's option parser, turning its complaints into usage errors (exit code 2). */
export function parseOrUsage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

/** A schema from the contract, as far as option checking needs it. */
interface OptionSchema<T> {
  safeParse(
    value: unknown,
  ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
}

/** Checks an option's value against its contract schema; a bad value is a usage error naming the flag. */
export function checkedOption<T>(schema: OptionSchema<T>, value: string, flag: string): T {
  const result = schema.safeParse(value);
  if (!result.success)
    throw new UsageError(`${flag} "${value}": ${result.error.issues[0]?.message ?? 'not valid'}.`);
  return result.data;
}
