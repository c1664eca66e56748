import type { CallName, CallResult, ProgressEvent } from '../../shared/contract/index.ts';

/**
 * The API the Electron preload exposes as `window.modeldock` through contextBridge — nothing else
 * (never ipcRenderer). Declared once here; main/electron/preload.ts implements it.
 */
export interface ModelDockBridge {
  call(name: CallName, request: unknown): Promise<CallResult<CallName>>;
  onProgress(listener: (event: ProgressEvent) => void): () => void;
  pathForFile(file: File): string;
  pendingOpenPaths(): Promise<string[]>;
  onOpenPath(listener: (path: string) => void): () => void;
  /** Menu items that act in the page (File → Export…). */
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

export type MenuCommand = 'export';

declare global {
  interface Window {
    modeldock?: ModelDockBridge;
  }
}
