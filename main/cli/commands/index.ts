import type { CliCommand } from '../command.ts';
import { compareCommand } from './compare.ts';
import { convertCommand } from './convert.ts';
import { explainCommand } from './explain.ts';
import { exportCommand } from './export.ts';
import { inspectCommand } from './inspect.ts';
import { predictCommand } from './predict.ts';
import { scoreCommand } from './score.ts';

/** Every `modeldock` command; each lives in its own file. */
export const commands: CliCommand[] = [
  inspectCommand,
  predictCommand,
  explainCommand,
  compareCommand,
  scoreCommand,
  exportCommand,
  convertCommand,
];
