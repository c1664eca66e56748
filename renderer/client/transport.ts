import type { MenuCommand } from '../../shared/contract/bridge.ts';
import type { CallName, CallResult, ProgressEvent } from '../../shared/contract/index.ts';

/** Options for turning a user's File into a path that main can read. */
export interface FilePathOptions {
  signal?: AbortSignal;
  /** Bytes sent so far (browser mode uploads the file; Electron needs no copy and never reports). */
  onProgress?: (done: number, total: number) => void;
}

/**
 * What carries calls between the renderer and main. The two implementations (Electron IPC, HTTP) are the
 * only code that knows which host the app runs in.
 */
export interface Transport {
  readonly mode: 'electron' | 'browser';
  call(name: CallName, request: unknown, signal?: AbortSignal): Promise<CallResult<CallName>>;
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  /** Electron: the file's own path (nothing large crosses IPC). Browser: uploads it into the data dir. */
  pathForFile(file: File, options?: FilePathOptions): Promise<string>;
  /** Model paths the app was asked to open before the UI was ready (command line, file association). */
  pendingOpenPaths(): Promise<string[]>;
  /** Model paths the app is asked to open later (a second launch with a path). */
  onOpenPath(listener: (path: string) => void): () => void;
  /**
   * Browser mode: a one-time URL that downloads a file the host wrote (it carries a short-lived ticket,
   * never the launch token). Electron: undefined, the file is already on the user's own disk.
   */
  downloadUrl: ((path: string) => Promise<string>) | undefined;
  /** Commands from the desktop menu (none in browser mode). */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}
