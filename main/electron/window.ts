import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { BrowserWindow, type Session, shell } from 'electron';
import {
  isAllowedNavigation,
  isPermissionAllowed,
  rendererCsp,
  secureWebPreferences,
} from './security-policy.ts';

/** dist/electron/main.cjs → dist/renderer/index.html */
export function rendererIndexPath(): string {
  return path.join(__dirname, '..', 'renderer', 'index.html');
}

export function appPageUrl(): string {
  return pathToFileURL(rendererIndexPath()).href;
}

/** Session-wide rules: CSP on every response, every permission refused but clipboard writing. */
export function applySessionPolicy(session: Session): void {
  session.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [rendererCsp] } });
  });
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  );
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
}

/** The one window. No navigation away, no new windows (links to the web open in the user's browser). */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'ModelDock',
    webPreferences: { ...secureWebPreferences, preload: preloadPath },
  });
  const pageUrl = appPageUrl();
  window.webContents.on('will-navigate', (event, url) => {
    if (!isAllowedNavigation(url, pageUrl)) event.preventDefault();
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, pageUrl)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    if (url.startsWith('https://')) void shell.openExternal(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  void window.loadFile(rendererIndexPath());
  return window;
}
