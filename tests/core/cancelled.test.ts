// One way to stop on a cancel: signal.throwIfAborted(), with the error callers and the boundary expect.
import { expect, test } from 'vitest';
import { AppError, throwIfCancelled, toAppErrorData } from '../../main/errors.ts';

function thrown(run: () => void): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

test('a live or absent signal lets the work go on', () => {
  expect(thrown(() => throwIfCancelled(undefined))).toBeUndefined();
  expect(thrown(() => throwIfCancelled(new AbortController().signal))).toBeUndefined();
});

test("a bare abort (a DOMException whose code is 20) becomes {code: 'cancelled'} with the operation's sentence", () => {
  const controller = new AbortController();
  controller.abort();
  const error = thrown(() =>
    throwIfCancelled(controller.signal, 'The export was cancelled; nothing was written.'),
  );
  expect(error).toBeInstanceOf(AppError);
  expect(toAppErrorData(error)).toEqual({
    code: 'cancelled',
    message: 'The export was cancelled; nothing was written.',
  });
  const timedOut = AbortSignal.abort(new DOMException('late', 'TimeoutError'));
  expect(toAppErrorData(thrown(() => throwIfCancelled(timedOut)))).toEqual({
    code: 'cancelled',
    message: 'Cancelled.',
  });
});

test('an AppError given as the abort reason is thrown as it is', () => {
  const reason = new AppError('cancelled', 'The upload stopped before the whole file arrived.');
  expect(thrown(() => throwIfCancelled(AbortSignal.abort(reason), 'other'))).toBe(reason);
});
