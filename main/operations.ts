import { AppError } from './errors.ts';

/** Long calls register here under the caller's operationId so `operation.cancel` can stop them. */
export class OperationRegistry {
  private readonly running = new Map<string, AbortController>();

  async run<T>(
    operationId: string | undefined,
    outer: AbortSignal,
    work: (signal: AbortSignal) => Promise<T>,
  ) {
    if (!operationId) return work(outer);
    if (this.running.has(operationId)) {
      throw new AppError('bad-request', `An operation with id ${operationId} is already running.`);
    }
    const controller = new AbortController();
    const signal = AbortSignal.any([outer, controller.signal]);
    this.running.set(operationId, controller);
    try {
      return await work(signal);
    } finally {
      this.running.delete(operationId);
    }
  }

  cancel(operationId: string): boolean {
    const controller = this.running.get(operationId);
    if (!controller) return false;
    controller.abort();
    return true;
  }
}
