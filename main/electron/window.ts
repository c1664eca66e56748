import path from 'node:path';
import { BrowserWindow, protocol, type Session, shell } from 'electron';
import { APP_PAGE_URL, APP_SCHEME, appProtocolResponse, appSchemePrivileges } from './app-protocol.ts';
import { isAllowedExternalUrl, isAllowedNavigation, isPermissionAllowed } from './security-policy.ts';

/** dist/electron/main.cjs → dist/renderer: the only folder app:// serves. */
export function rendererDir(): string {
  return path.join(__dirname, '..', 'renderer');
}

export function appPageUrl(): string {
  return APP_PAGE_URL;
}

/** Before the app is ready (Electron's rule for privileged schemes): app:// as a standard, secure scheme. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: appSchemePrivileges }]);
}

/** Once ready: app:// answered from dist/renderer, each response with its type and the CSP (app-protocol.ts). */
export function serveAppProtocol(): void {
  const dir = rendererDir();
  protocol.handle(APP_SCHEME, (request) => appProtocolResponse(request, dir));
}

/**
 * Session-wide rules: every permission refused but clipboard writing. The CSP comes with each app:// response
 * (app-protocol.ts) and the page's meta tag; webRequest's header hooks don't run for custom protocols.
 */
export function applySessionPolicy(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) =>
    callback(isPermissionAllowed(permission)),
  );
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
}

/** Hands a link to the user's browser when security-policy.ts allows its URL; true when it did. */
export function openExternalLink(url: string): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  void shell.openExternal(url);
  return true;
}

/** The one window. No navigation away, no new windows (allow-listed links open in the user's browser). */
export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 720,
    minHeight: 520,
    show: false,
    title: 'ModelDock',
    // Their one definition, written out here because Electronegativity reads only a literal (a spread
    // constant fails the audit); tests/packaging/security-policy.test.ts asserts exactly this set.
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
      spellcheck: false,
      // A middle-click (auxclick) could ask for a new window or navigation without a 'click' handler seeing it.
      disableBlinkFeatures: 'Auxclick',
      preload: preloadPath,
    },
  });
  const pageUrl = appPageUrl();
  window.webContents.on('will-navigate', (event, url) => {
    if (isAllowedNavigation(url, pageUrl)) return;
    event.preventDefault();
    openExternalLink(url);
  });
  window.webContents.on('will-redirect', (event, url) => {
    if (!isAllowedNavigation(url, pageUrl)) event.preventDefault();
  });
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  window.webContents.setWindowOpenHandler(({ url }) => {
    openExternalLink(url);
    return { action: 'deny' };
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(pageUrl);
  return window;
}
