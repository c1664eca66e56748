/**
 * The renderer's one typed client — import it from here in every panel:
 *
 *   import { client, useClient, ClientError, newOperationId } from '../client/index.ts';
 *   const info = await client.call('model.open', { path, operationId: newOperationId() });
 *   const stop = client.onEvent('progress', (event) => { if (event.operationId === id) … });
 *   const csvPath = await client.pathForFile(file); // a dropped/picked File → a path main can read
 *
 * `call` resolves with the contract's typed response or throws a ClientError {code, message, details}.
 * The transport is chosen once: Electron IPC when the preload exposed `window.modeldock`, otherwise HTTP
 * to the browser-mode host with the launch token (taken from the URL fragment, then kept in sessionStorage).
 */
import { useMemo } from 'react';
import { createClient, type ModelDockClient } from './client.ts';
import { createHttpTransport } from './http-transport.ts';
import { createIpcTransport } from './ipc-transport.ts';

export { createClient, type ModelDockClient, newOperationId } from './client.ts';
export { ClientError } from './client-error.ts';
export type { FilePathOptions, Transport } from './transport.ts';

const tokenStorageKey = 'modeldock.token';

/** Reads the token from `#token=…`, keeps it for reloads of this tab, and removes it from the address bar. */
export function takeLaunchToken(): string {
  const fromHash = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(tokenStorageKey, fromHash);
    history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromHash;
  }
  return sessionStorage.getItem(tokenStorageKey) ?? '';
}

let launchToken = '';

/**
 * After the host restarts on the same port, its new address differs from the old tab's only in the
 * `#token=…` fragment, and pasting it changes the hash without loading the page: the tab would keep
 * calling with the dead token ("no valid launch token"). A new token in the fragment reloads the tab
 * on it instead.
 */
export function reloadOnNewToken(target: Pick<Window, 'addEventListener' | 'location'> = window): void {
  target.addEventListener('hashchange', () => {
    const fromHash = new URLSearchParams(target.location.hash.slice(1)).get('token');
    if (!fromHash || fromHash === launchToken) return;
    sessionStorage.setItem(tokenStorageKey, fromHash);
    target.location.replace(target.location.pathname + target.location.search);
  });
}

function createDefaultClient(): ModelDockClient {
  if (window.modeldock) return createClient(createIpcTransport(window.modeldock));
  launchToken = takeLaunchToken();
  reloadOnNewToken();
  return createClient(createHttpTransport({ token: launchToken }));
}

/** The app-wide client (one per page). */
export const client: ModelDockClient = createDefaultClient();

/** False in a browser tab opened without the launch token (every call would get 401). */
export const hasLaunchToken: boolean = client.mode === 'electron' || launchToken !== '';

/** Hook form of the same singleton, for components. */
export function useClient(): ModelDockClient {
  return useMemo(() => client, []);
}
