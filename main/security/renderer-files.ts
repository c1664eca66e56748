/**
 * Which files of the built renderer (dist/renderer) a URL may name, and the type each is served as. One rule
 * for both ways the renderer is served: the desktop app's app:// protocol (main/electron/app-protocol.ts) and
 * browser mode's loopback host (main/web/static-files.ts).
 */
import path from 'node:path';

/** Content types of what vite emits for the renderer. Anything else is not part of the app. */
export const rendererContentTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** The content type of a renderer file by its extension, or undefined for a type the renderer has none of. */
export function rendererContentType(file: string): string | undefined {
  return rendererContentTypes[path.extname(file).toLowerCase()];
}

/**
 * The file a URL path names inside rootDir, or null when it names nothing there: the path is percent-decoded
 * once and, resolved against rootDir, must stay inside it — so `..` segments, their encoded forms (`%2e%2e`,
 * `..%2f`) and absolute paths can't escape. Backslashes and NUL are refused outright (no renderer file has
 * one, and on Windows a backslash is a separator the URL parser did not normalise).
 */
export function fileInsideRoot(rootDir: string, urlPathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPathname);
  } catch {
    return null;
  }
  if (decoded.includes('\\') || decoded.includes('\0')) return null;
  const root = path.resolve(rootDir);
  const file = path.resolve(root, `.${decoded.startsWith('/') ? '' : '/'}${decoded}`);
  return file.startsWith(root + path.sep) ? file : null;
}
