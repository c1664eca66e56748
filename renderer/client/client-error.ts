import type { AppErrorData, ErrorCode } from '../../shared/contract/index.ts';

/** The typed error every failed call throws: the same {code, message, details} main produced. */
export class ClientError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;

  constructor(error: AppErrorData) {
    super(error.message);
    this.name = 'ClientError';
    this.code = error.code;
    this.details = error.details;
  }

  static from(error: unknown): ClientError {
    if (error instanceof ClientError) return error;
    if (error instanceof DOMException && error.name === 'AbortError') {
      return new ClientError({ code: 'cancelled', message: 'Cancelled.' });
    }
    const message = error instanceof Error ? error.message : String(error);
    return new ClientError({ code: 'internal', message: `ModelDock could not reach its engine: ${message}` });
  }
}
