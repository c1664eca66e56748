import type { CliCommand } from '../command.ts';

/** Every `modeldock` command; each lives in its own file. */
export const commands: CliCommand[] = [];
