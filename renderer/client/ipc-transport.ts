import type { ModelDockBridge } from './bridge.ts';
import { ClientError } from './client-error.ts';
import type { Transport } from './transport.ts';

/** Electron: calls go through the preload's bridge; files are already on disk, so only their path crosses. */
export function createIpcTransport(bridge: ModelDockBridge): Transport {
  return {
    mode: 'electron',
    call: (name, request) => bridge.call(name, request),
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
