import type { MenuCommand } from '../../shared/contract/bridge.ts';
import type { CallName, CallRequest, CallResponse, ProgressEvent } from '../../shared/contract/index.ts';
import { ClientError } from './client-error.ts';
import type { FilePathOptions, Transport } from './transport.ts';

/** The renderer's one typed client. Panels call it; it never says which transport carries the call. */
export interface ModelDockClient {
  readonly mode: 'electron' | 'browser';
  /** Resolves with the typed response or throws a ClientError {code, message, details}. */
  call<N extends CallName>(
    name: N,
    request: CallRequest<N>,
    options?: { signal?: AbortSignal },
  ): Promise<CallResponse<N>>;
  /** Progress of long calls (match on operationId). Returns an unsubscribe function. */
  onEvent(name: 'progress', listener: (event: ProgressEvent) => void): () => void;
  /** A path main can read for a File the user dropped or picked (a CSV, a model, …). */
  pathForFile(file: File, options?: FilePathOptions): Promise<string>;
  pendingOpenPaths(): Promise<string[]>;
  onOpenPath(listener: (path: string) => void): () => void;
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
  /** Browser mode: a one-time URL that downloads a file the host wrote. Electron: undefined (it is on disk already). */
  downloadUrl: ((path: string) => Promise<string>) | undefined;
}

export function createClient(transport: Transport): ModelDockClient {
  return {
    mode: transport.mode,
    async call<N extends CallName>(name: N, request: CallRequest<N>, options: { signal?: AbortSignal } = {}) {
      let result: Awaited<ReturnType<Transport['call']>>;
      try {
        result = await transport.call(name, request, options.signal);
      } catch (error) {
        throw ClientError.from(error);
      }
      if (!result.ok) throw new ClientError(result.error);
      return result.value as CallResponse<N>;
    },
    onEvent: (_name, listener) => transport.onProgress(listener),
    async pathForFile(file, options) {
      try {
        return await transport.pathForFile(file, options);
      } catch (error) {
        throw ClientError.from(error);
      }
    },
    pendingOpenPaths: () => transport.pendingOpenPaths(),
    onOpenPath: (listener) => transport.onOpenPath(listener),
    onMenuCommand: (listener) => transport.onMenuCommand(listener),
    downloadUrl: transport.downloadUrl,
  };
}

/** A fresh id for a long call, so it can be cancelled with operation.cancel and matched in progress events. */
export function newOperationId(prefix = 'op'): string {
  return `${prefix}-${crypto.randomUUID()}`;
}
