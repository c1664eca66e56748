import { AppError } from '../../errors.ts';

/** The file would run code or breaks a safety limit. */
export function refused(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('refused-pickle', message, details);
}

/** The file is not a well-formed pickle (truncated, unknown instruction, inconsistent data). */
export function corrupt(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('corrupt-model', message, details);
}

/** Well-formed, but holds data ModelDock cannot represent (complex numbers, dates, old joblib layouts). */
export function unsupported(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('unsupported-model', message, details);
}

/** Names a global the way Python spells it for people: "posix.system". */
export function refusedGlobal(name: string, written: string): AppError {
  return refused(`refused: the file calls ${name}, which is not model data`, { global: name, written });
}
