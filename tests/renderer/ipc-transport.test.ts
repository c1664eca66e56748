import { describe, expect, it } from 'vitest';
import { createIpcTransport } from '../../renderer/client/ipc-transport.ts';
import type { ModelDockBridge } from '../../shared/contract/bridge.ts';
import type { CallName } from '../../shared/contract/index.ts';

/** A bridge whose calls stay pending until answered, recording what was sent. */
function pendingBridge() {
  const sent: Array<{ name: CallName; request: unknown }> = [];
  const answers: Array<(value: unknown) => void> = [];
  const bridge = {
    call: (name: CallName, request: unknown) => {
      sent.push({ name, request });
      return new Promise((resolve) => answers.push(resolve));
    },
  } as unknown as ModelDockBridge;
  return { bridge, sent, answers };
}

describe('the IPC transport honours cancel signals (as fetch does in browser mode)', () => {
  it('rejects with an AbortError at once and cancels the long call in main', async () => {
    const { bridge, sent } = pendingBridge();
    const controller = new AbortController();
    const call = createIpcTransport(bridge).call(
      'batch.score',
      { operationId: 'op-1', path: '/tmp/x.csv' },
      controller.signal,
    );
    controller.abort();
    await expect(call).rejects.toMatchObject({ name: 'AbortError' });
    expect(sent.map((entry) => entry.name)).toEqual(['batch.score', 'operation.cancel']);
    expect(sent[1]!.request).toEqual({ operationId: 'op-1' });
  });

  it('sends nothing for an already aborted signal, and answers normally without one', async () => {
    const { bridge, sent, answers } = pendingBridge();
    const transport = createIpcTransport(bridge);
    await expect(transport.call('model.list', {}, AbortSignal.abort())).rejects.toMatchObject({
      name: 'AbortError',
    });
    expect(sent).toEqual([]);
    const call = transport.call('model.list', {}, new AbortController().signal);
    answers[0]!({ ok: true, value: [] });
    await expect(call).resolves.toEqual({ ok: true, value: [] });
  });
});
