import { BrowserWindow, type IpcMainInvokeEvent, ipcMain, type WebContents } from 'electron';
import type { CallName, CallResult, ProgressEvent } from '../../shared/contract/index.ts';
import { dispatch, type HandlerTable } from '../handlers.ts';
import { type IpcSender, ipcChannels, isTrustedIpcSender } from './security-policy.ts';

function describeSender(event: IpcMainInvokeEvent, appWindow: () => BrowserWindow | null): IpcSender | null {
  const frame = event.senderFrame;
  if (!frame) return null;
  const window = appWindow();
  return {
    url: frame.url,
    isMainFrame: frame.parent === null,
    isAppWindow: window !== null && BrowserWindow.fromWebContents(event.sender) === window,
  };
}

const refused: CallResult<'app.info'> = {
  ok: false,
  error: { code: 'unauthorized', message: 'This message did not come from the ModelDock window.' },
};

/**
 * Registers the handler table on ipcMain. Every message is checked first: only the app's own window,
 * top frame, on the app's own page may call (as Electron Fiddle's ipc.ts rejects webviews and sub-frames).
 */
export function registerIpc(options: {
  table: HandlerTable;
  appPageUrl: string;
  appWindow: () => BrowserWindow | null;
  takePendingOpenPaths: () => string[];
  /** After each call: for the log (name, outcome, duration — never the request's values) and the recent list. */
  onCallDone?: (name: string, request: unknown, result: CallResult<CallName>, ms: number) => void;
}): void {
  const trusted = (event: IpcMainInvokeEvent) =>
    isTrustedIpcSender(describeSender(event, options.appWindow), options.appPageUrl);

  ipcMain.handle(ipcChannels.call, async (event, name: unknown, request: unknown) => {
    if (!trusted(event)) return refused;
    if (typeof name !== 'string')
      return { ok: false, error: { code: 'bad-request', message: 'A call needs a name.' } };
    const controller = new AbortController();
    const sender: WebContents = event.sender;
    // A closed or reloaded window stops what it started.
    const stop = () => controller.abort();
    sender.once('destroyed', stop);
    sender.once('did-start-navigation', stop);
    const started = performance.now();
    try {
      const result = await dispatch<CallName>(options.table, name, request, {
        emit: (progress: ProgressEvent) => {
          if (!sender.isDestroyed()) sender.send(ipcChannels.event, progress);
        },
        signal: controller.signal,
      });
      options.onCallDone?.(name, request, result, performance.now() - started);
      return result;
    } finally {
      if (!sender.isDestroyed()) {
        sender.off('destroyed', stop);
        sender.off('did-start-navigation', stop);
      }
    }
  });

  ipcMain.handle(ipcChannels.pendingOpenPaths, (event) =>
    trusted(event) ? options.takePendingOpenPaths() : [],
  );
}
