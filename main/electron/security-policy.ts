/**
 * The security-relevant constants of the desktop window, kept free of any electron import so that
 * tests (and the browser-mode host, which serves the same renderer) assert on the very values in force.
 * The window's webPreferences are the exception: window.ts writes them out literally, their one
 * definition, because Electronegativity (npm run audit:electron) reads only a literal.
 */

// The CSP is shared with browser mode, so it lives in main/security/ (neither host's folder).
export { rendererCsp } from '../security/csp.ts';

/** IPC channel names, declared once for main and preload. */
export const ipcChannels = {
  call: 'modeldock:call',
  event: 'modeldock:event',
  openPath: 'modeldock:open-path',
  pendingOpenPaths: 'modeldock:pending-open-paths',
  /** Menu items that act in the page (File → Export…). */
  menuCommand: 'modeldock:menu-command',
} as const;

/**
 * True when a URL is the app's own page: app://modeldock/index.html (window.ts; query and hash ignored).
 * IPC from any other frame (a sub-frame, a navigated page, devtools extensions) is dropped.
 */
export function isAppPageUrl(frameUrl: string, appPageUrl: string): boolean {
  let frame: URL;
  let app: URL;
  try {
    frame = new URL(frameUrl);
    app = new URL(appPageUrl);
  } catch {
    return false;
  }
  return frame.protocol === app.protocol && frame.host === app.host && frame.pathname === app.pathname;
}

/** The sender of an IPC message as the checker needs it (Electron's WebFrameMain, reduced to plain data). */
export interface IpcSender {
  url: string;
  /** True when the frame is the top frame of its page (not an iframe). */
  isMainFrame: boolean;
  /** True when the frame belongs to one of the app's own windows. */
  isAppWindow: boolean;
}

/** The rule every IPC handler applies before it runs anything (as Electron Fiddle's ipc.ts does). */
export function isTrustedIpcSender(sender: IpcSender | null | undefined, appPageUrl: string): boolean {
  if (!sender) return false;
  return sender.isAppWindow && sender.isMainFrame && isAppPageUrl(sender.url, appPageUrl);
}

/** Navigation away from the app page is never allowed; the app is one page. */
export function isAllowedNavigation(targetUrl: string, appPageUrl: string): boolean {
  return isAppPageUrl(targetUrl, appPageUrl);
}

/**
 * Hosts whose https pages a link in the app may open in the user's browser (Electron's checklist #15:
 * shell.openExternal only for trusted URLs). The documentation of the formats ModelDock reads; nothing else.
 */
export const externalLinkHosts: readonly string[] = [
  'onnx.ai',
  'onnxruntime.ai',
  'scikit-learn.org',
  'xgboost.readthedocs.io',
];

/**
 * True for an https URL on an allow-listed host, on the default port, without user:password@ (which could
 * make a link read as one host and go to another). Anything else (file:, smb:, custom schemes that start
 * local programs, other hosts) never reaches shell.openExternal.
 */
export function isAllowedExternalUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === 'https:' &&
    parsed.username === '' &&
    parsed.password === '' &&
    parsed.port === '' &&
    externalLinkHosts.includes(parsed.hostname)
  );
}

/**
 * Permission requests (camera, notifications, clipboard-read, …) are refused; the only one granted is writing
 * sanitized text to the clipboard, which the checksum copy buttons need.
 */
export const allowedPermissions: readonly string[] = ['clipboard-sanitized-write'];

export function isPermissionAllowed(permission: string): boolean {
  return allowedPermissions.includes(permission);
}
