import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { fileInsideRoot, rendererContentType } from '../security/renderer-files.ts';

/**
 * Serves a file of the built renderer. The resolved path must stay inside rootDir (no `..` escapes);
 * anything unknown falls back to index.html so a reload on any URL shows the app.
 */
export async function serveStatic(rootDir: string, urlPath: string, response: ServerResponse): Promise<void> {
  const root = path.resolve(rootDir);
  let file = fileInsideRoot(root, urlPath) ?? path.join(root, 'index.html');
  let info = await stat(file).catch(() => null);
  if (!info?.isFile()) {
    file = path.join(root, 'index.html');
    info = await stat(file).catch(() => null);
  }
  if (!info?.isFile()) {
    response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    response.end('The app is not built yet: run `npm run build` (or `npx vite build`) and reload.');
    return;
  }
  response.writeHead(200, {
    'content-type': rendererContentType(file) ?? 'application/octet-stream',
    'content-length': info.size,
  });
  createReadStream(file).pipe(response);
}
