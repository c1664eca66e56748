import type { ModelDockBridge } from '../../shared/contract/bridge.ts';
import type { CallName, CallResult } from '../../shared/contract/index.ts';
import { ClientError } from './client-error.ts';
import type { Transport } from './transport.ts';

/** Electron: calls go through the preload's bridge; files are already on disk, so only their path crosses. */
export function createIpcTransport(bridge: ModelDockBridge): Transport {
  return {
    mode: 'electron',
    call: (name, request, signal) => callWithSignal(bridge, name, request, signal),
    onProgress: (listener) => bridge.onProgress(listener),
    async pathForFile(file) {
      const filePath = bridge.pathForFile(file);
      if (!filePath) {
        throw new ClientError({
          code: 'file-not-found',
          message: `${file.name} has no path on disk (was it dragged from another app?); save it as a file first.`,
        });
      }
      return filePath;
    },
    pendingOpenPaths: () => bridge.pendingOpenPaths(),
    onOpenPath: (listener) => bridge.onOpenPath(listener),
    onMenuCommand: (listener) => bridge.onMenuCommand(listener),
    downloadUrl: undefined,
  };
}

/**
 * A call that honours its cancel signal, as the HTTP transport's fetch does: aborting rejects with the
 * signal's reason (an AbortError) at once, and a long call — one that carries an operationId — is also
 * cancelled in main with `operation.cancel`, so its work stops instead of running on unseen.
 */
function callWithSignal(
  bridge: ModelDockBridge,
  name: CallName,
  request: unknown,
  signal: AbortSignal | undefined,
): Promise<CallResult<CallName>> {
  if (!signal) return bridge.call(name, request);
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      const operationId = (request as { operationId?: unknown } | null)?.operationId;
      if (typeof operationId === 'string') void bridge.call('operation.cancel', { operationId });
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    bridge.call(name, request).then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
