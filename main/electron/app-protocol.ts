/**
 * The app:// protocol the desktop window loads the renderer from, instead of file:// (Electron's security
 * checklist #18): a file:// page may read other local files, an app:// page sees only dist/renderer. Kept free
 * of any electron import so tests run the very handler the window uses; window.ts registers it.
 *
 * Custom protocols get none of webRequest's header events (electron/electron#6021), so the
 * Content-Security-Policy header is set here, on every response, together with the page's own meta tag.
 */
import { readFile } from 'node:fs/promises';
import { rendererCsp } from '../security/csp.ts';
import { fileInsideRoot, rendererContentType } from '../security/renderer-files.ts';

export const APP_SCHEME = 'app';
/** A standard scheme needs a host; the one host app:// answers for. */
export const APP_HOST = 'modeldock';
/** The window's page; IPC is answered only for this URL (security-policy.ts isAppPageUrl). */
export const APP_PAGE_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/**
 * Registered before the app is ready (protocol.registerSchemesAsPrivileged, which Electron honours once: this
 * is the app's only call). `standard` gives the scheme a real origin (app://modeldock), relative URLs and
 * module loading like https: the page's `<script type="module" crossorigin>` and its chunks are same-origin
 * requests. `secure` makes it a secure context. Nothing more: no bypassCSP, no service workers, no fetch API
 * (the page talks to main over IPC), and no corsEnabled, which would let other origins read app:// files.
 */
export const appSchemePrivileges = { standard: true, secure: true } as const;

export type AppRequestTarget =
  | { ok: true; file: string; contentType: string }
  | { ok: false; status: 403 | 404 | 405; reason: string };

/** Which file of rendererDir an app:// request names, or why it is refused. Pure: no file is touched. */
export function resolveAppRequest(url: string, method: string, rendererDir: string): AppRequestTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, status: 404, reason: 'not a URL' };
  }
  if (parsed.protocol !== `${APP_SCHEME}:` || parsed.host !== APP_HOST) {
    return { ok: false, status: 404, reason: `app:// serves only ${APP_SCHEME}://${APP_HOST}/` };
  }
  if (method !== 'GET' && method !== 'HEAD')
    return { ok: false, status: 405, reason: `${method} is not served` };
  const file = fileInsideRoot(rendererDir, parsed.pathname === '/' ? '/index.html' : parsed.pathname);
  if (!file) return { ok: false, status: 403, reason: 'the path leaves the renderer folder' };
  const contentType = rendererContentType(file);
  if (!contentType) return { ok: false, status: 404, reason: 'not a file type the renderer has' };
  return { ok: true, file, contentType };
}

/** Headers on every app:// response, refusals included. */
function baseHeaders(contentType: string): Record<string, string> {
  return {
    'content-type': contentType,
    'content-security-policy': rendererCsp,
    'x-content-type-options': 'nosniff',
  };
}

/** The protocol.handle handler: a file of rendererDir with its type and the CSP, or a plain-text refusal. */
export async function appProtocolResponse(
  request: { url: string; method: string },
  rendererDir: string,
  read: (file: string) => Promise<Uint8Array<ArrayBuffer>> = readFile,
): Promise<Response> {
  const target = resolveAppRequest(request.url, request.method, rendererDir);
  const refuse = (status: number, reason: string) =>
    new Response(reason, { status, headers: baseHeaders('text/plain; charset=utf-8') });
  if (!target.ok) return refuse(target.status, target.reason);
  let body: Uint8Array<ArrayBuffer>;
  try {
    body = await read(target.file);
  } catch {
    // Missing, a folder, unreadable: the same answer, without the path.
    return refuse(404, 'no such file in the app');
  }
  return new Response(request.method === 'HEAD' ? null : body, {
    status: 200,
    headers: { ...baseHeaders(target.contentType), 'content-length': String(body.byteLength) },
  });
}
