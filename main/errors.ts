import { isErrorCode } from '../shared/contract/error-codes.ts';
import type { AppErrorData, ErrorCode } from '../shared/contract/index.ts';

/** An error meant for a person: a code, one clear sentence, and optional details. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.name = 'AppError';
    this.code = code;
    this.details = details;
  }

  toData(): AppErrorData {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}

/**
 * `signal.throwIfAborted()`, typed: an abort without an AppError reason (a bare `controller.abort()`
 * throws a DOMException whose numeric `code` is 20) becomes AppError('cancelled', message), so callers
 * and tests see the same {code: 'cancelled'} as the boundary does; the operation names what was stopped.
 */
export function throwIfCancelled(signal: AbortSignal | undefined, message = 'Cancelled.'): void {
  try {
    signal?.throwIfAborted();
  } catch (reason) {
    throw isAppError(reason) ? reason : new AppError('cancelled', message);
  }
}

/** Turns anything thrown into the typed error that crosses the boundary; never a stack trace. */
export function toAppErrorData(error: unknown): AppErrorData {
  if (error instanceof AppError) return error.toData();
  if (error && typeof error === 'object' && 'code' in error && 'message' in error) {
    const code = (error as { code: unknown }).code;
    if (isErrorCode(code)) return { code, message: String((error as { message: unknown }).message) };
    const nodeCode = String((error as { code: unknown }).code);
    if (nodeCode === 'ENOSPC')
      return { code: 'disk-full', message: 'The disk is full: free some space and try again.' };
    if (nodeCode === 'ENOENT')
      return { code: 'file-not-found', message: 'A file ModelDock needed was not found.' };
    if (nodeCode === 'EACCES' || nodeCode === 'EPERM' || nodeCode === 'EROFS') {
      return { code: 'io-error', message: 'ModelDock is not allowed to read or write that location.' };
    }
  }
  if (error instanceof Error && error.name === 'AbortError')
    return { code: 'cancelled', message: 'Cancelled.' };
  return { code: 'internal', message: 'Something went wrong inside ModelDock; the log has the details.' };
}
