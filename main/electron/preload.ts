/**
 * The preload: exposes exactly the typed bridge (shared/contract/bridge.ts) through contextBridge, never
 * ipcRenderer itself. Dropped files become paths here (webUtils), so only a path crosses to main.
 */
import { contextBridge, type IpcRendererEvent, ipcRenderer, webUtils } from 'electron';
import type { MenuCommand, ModelDockBridge } from '../../shared/contract/bridge.ts';
import type { ProgressEvent } from '../../shared/contract/index.ts';
import { ipcChannels } from './security-policy.ts';

function subscribe<T>(channel: string, listener: (value: T) => void): () => void {
  const handler = (_event: IpcRendererEvent, value: T) => listener(value);
  ipcRenderer.on(channel, handler);
  return () => {
    ipcRenderer.removeListener(channel, handler);
  };
}

const bridge: ModelDockBridge = {
  call: (name, request) => ipcRenderer.invoke(ipcChannels.call, name, request),
  onProgress: (listener) => subscribe<ProgressEvent>(ipcChannels.event, listener),
  pathForFile: (file) => webUtils.getPathForFile(file),
  pendingOpenPaths: () => ipcRenderer.invoke(ipcChannels.pendingOpenPaths),
  onOpenPath: (listener) => subscribe<string>(ipcChannels.openPath, listener),
  onMenuCommand: (listener) => subscribe<MenuCommand>(ipcChannels.menuCommand, listener),
};

contextBridge.exposeInMainWorld('modeldock', bridge);
