import type { ProgressEvent } from './events.ts';
import type { CallName, CallResult } from './index.ts';

/**
 * The API the Electron preload exposes as `window.modeldock` through contextBridge — nothing else
 * (never ipcRenderer). Declared once here, in the contract both sides import; main/electron/preload.ts implements it.
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
