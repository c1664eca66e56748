import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { maxPathLength } from '../../shared/contract/define.ts';
import type { AppErrorData, ErrorCode, ProgressEvent } from '../../shared/contract/index.ts';
import { AppError, toAppErrorData } from '../errors.ts';
import { dispatch, type HandlerTable } from '../handlers.ts';
import { type AppLog, createAppLog, logOptionsFor } from '../logging/app-log.ts';
import { createToken, tokenHeader, tokenMatches } from '../security/token.ts';
import type { AppServices } from '../services.ts';
import { DownloadableFiles, DownloadTickets, sendDownload } from './downloads.ts';
import { openInBrowser } from './open-in-browser.ts';
import { isAllowedHost, securityHeaders } from './security.ts';
import { serveStatic } from './static-files.ts';
import { removeStaleUploads } from './upload-cleanup.ts';
import { UploadLedger } from './upload-quota.ts';
import { defaultUploadLimitBytes, receiveUpload } from './uploads.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The built renderer (`vite build` writes it here). */
export const defaultRendererDir = path.resolve(here, '../../dist/renderer');

/** How long after start the engine loads if no call asked for it first (the window paints meanwhile). */
const engineWarmUpDelayMs = 800;

/** JSON request bodies are small (payloads, paths); files arrive through /api/upload instead. */
const maxJsonBodyBytes = 10 * 1024 * 1024;

export interface WebHostOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  dataDir?: string;
  rendererDir?: string;
  /** Open the app in the default browser once listening. */
  open?: boolean;
  /** Tests inject a table; by default the host builds the real services. */
  table?: HandlerTable;
  /** The process's logger; by default browser mode's (createAppServices' logOptions). */
  log?: AppLog;
  uploadLimitBytes?: number;
  /** Total of uploads not yet used by a call (upload-quota.ts). */
  uploadQuotaBytes?: number;
  /** How long after its last page went away (closed, not reloaded) unused uploads are removed. */
  pageGoneGraceMs?: number;
}

export interface WebHost {
  /** The app's URL with the token in its fragment (the fragment never reaches the server or logs). */
  url: string;
  origin: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

/**
 * Browser mode: the same handler table as Electron, over loopback HTTP. One random token per launch guards
 * every /api call; the Host header is checked against DNS rebinding; no CORS headers are ever sent.
 */
export async function startWebHost(options: WebHostOptions = {}): Promise<WebHost> {
  const token = createToken();
  const log = options.log ?? createAppLog(logOptionsFor('browser'));
  const rendererDir = options.rendererDir ?? defaultRendererDir;
  // The services (onnxruntime and all) take most of a second of CPU to load. The host serves the page first
  // and loads them on the first API call or shortly after starting, whichever comes first, so they don't
  // compete with the browser painting the window. Tests inject a table instead.
  let enginePromise: Promise<Engine> | null = options.table
    ? Promise.resolve({
        table: options.table,
        dataDir: requireDataDir(options.dataDir),
        dispose: async () => {},
      })
    : null;
  const engine = (): Promise<Engine> => {
    if (!enginePromise) {
      enginePromise = loadEngine(options.dataDir, log);
      enginePromise.catch((error: unknown) => log.error('the engine failed to start', error));
    }
    return enginePromise;
  };
  const downloads = new DownloadableFiles(async () => (await engine()).dataDir);
  const tickets = new DownloadTickets();
  const uploads = new UploadLedger(
    async () => path.join((await engine()).dataDir, 'uploads'),
    options.uploadQuotaBytes,
  );
  // The event stream is open while a page is: when the last one closes and none comes back (a reload
  // reconnects within a second), what was dropped but never used goes.
  let pageGone: NodeJS.Timeout | undefined;
  const onPageClosed = () => {
    if (sseClients.size > 0) return;
    clearTimeout(pageGone);
    pageGone = setTimeout(() => void uploads.removeUnused(), options.pageGoneGraceMs ?? 30_000);
    pageGone.unref();
  };
  const warmUp = setTimeout(() => void engine(), engineWarmUpDelayMs);
  warmUp.unref();
  const sseClients = new Set<ServerResponse>();
  const emit = (event: ProgressEvent) => {
    const frame = `event: progress\ndata: ${JSON.stringify(event)}\n\n`;
    for (const client of sseClients) client.write(frame);
  };

  let port = 0;
  const server = createServer((request, response) => {
    for (const [name, value] of Object.entries(securityHeaders)) response.setHeader(name, value);
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, toAppErrorData(error));
      else response.destroy();
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!isAllowedHost(request.headers.host, port)) {
      sendError(response, { code: 'unauthorized', message: 'This host name is not allowed.' }, 403);
      return;
    }
    const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
    if (!url.pathname.startsWith('/api/')) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        sendError(response, { code: 'bad-request', message: 'Only GET is served outside /api.' }, 405);
        return;
      }
      await serveStatic(rendererDir, url.pathname, response);
      return;
    }
    // A one-time ticket is the credential of a download link (downloads.ts): no token in the URL.
    const ticketMatch = /^\/api\/download\/([\w-]{20,100})$/.exec(url.pathname);
    if (ticketMatch && request.method === 'GET') {
      const ticketed = tickets.redeem(ticketMatch[1]!);
      if (!ticketed || !(await sendDownload(downloads, ticketed, response))) {
        sendError(
          response,
          { code: 'not-found', message: 'This download link has expired or was used.' },
          404,
        );
      }
      return;
    }
    // Only the event stream may carry the token in its URL (EventSource can't send headers, and its URL
    // never reaches the history); everything else sends it in the header.
    const queryToken = url.pathname === '/api/events' ? url.searchParams.get('token') : null;
    const givenToken = request.headers[tokenHeader] ?? queryToken;
    if (!tokenMatches(Array.isArray(givenToken) ? givenToken[0] : givenToken, token)) {
      sendError(response, { code: 'unauthorized', message: 'This request lacks the launch token.' }, 401);
      return;
    }
    const signal = abortOnClose(response);
    if (url.pathname === '/api/events' && request.method === 'GET') {
      response.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive' });
      response.write(': connected\n\n');
      sseClients.add(response);
      clearTimeout(pageGone);
      response.on('close', () => {
        sseClients.delete(response);
        onPageClosed();
      });
      return;
    }
    if (url.pathname === '/api/download' && request.method === 'GET') {
      if (!(await sendDownload(downloads, url.searchParams.get('path'), response))) {
        sendError(
          response,
          { code: 'not-found', message: 'There is no file to download at that path.' },
          404,
        );
      }
      return;
    }
    if (url.pathname === '/api/download-ticket' && request.method === 'POST') {
      const body = (await readJsonBody(request)) as { path?: unknown };
      const requested = typeof body.path === 'string' ? body.path : null;
      if (!requested || requested.length > maxPathLength || !(await downloads.allowedRealPath(requested))) {
        sendError(
          response,
          { code: 'not-found', message: 'There is no file to download at that path.' },
          404,
        );
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ url: `/api/download/${tickets.issue(requested)}` }));
      return;
    }
    if (request.method !== 'POST') {
      sendError(response, { code: 'bad-request', message: 'API calls use POST.' }, 405);
      return;
    }
    if (url.pathname === '/api/upload') {
      const { dataDir } = await engine();
      const declared = Number(request.headers['content-length']);
      const room = uploads.reserve(Number.isFinite(declared) ? declared : undefined);
      try {
        const uploaded = await receiveUpload(request, {
          dataDir,
          fileName: url.searchParams.get('name') ?? 'upload',
          limitBytes: Math.min(options.uploadLimitBytes ?? defaultUploadLimitBytes, room.allowed),
          signal,
        });
        uploads.record(uploaded.path, uploaded.sizeBytes);
        sendJson(response, 200, uploaded);
      } finally {
        room.release();
      }
      return;
    }
    const callMatch = /^\/api\/call\/([\w.-]+)$/.exec(url.pathname);
    if (!callMatch) {
      sendError(response, { code: 'not-found', message: `There is no API route ${url.pathname}.` }, 404);
      return;
    }
    const body = await readJsonBody(request);
    const { table } = await engine();
    const result = await dispatch(table, callMatch[1]!, body, { emit, signal });
    if (!result.ok && callMatch[1] === 'model.open' && notAModelCodes.has(result.error.code)) {
      // An uploaded file that is not a usable model is of no further use; don't let it fill the disk.
      // (A cancelled open or a checksum mismatch keeps it: the same upload may be opened again.)
      const uploadPath = (body as { path?: unknown } | null)?.path;
      await removeUpload((await engine()).dataDir, uploadPath);
      if (typeof uploadPath === 'string') uploads.forget(uploadPath);
    }
    if (result.ok) {
      uploads.markUsed(body);
      // Files this launch wrote may be downloaded even when the user saved them outside the data directory.
      await downloads.recordCallResult(callMatch[1]!, result.value);
      sendJson(response, 200, result);
    } else sendError(response, result.error);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const origin = `http://127.0.0.1:${port}`;
  const url = `${origin}/#token=${token}`;
  if (options.open) openInBrowser(url);
  if (!existsSync(path.join(rendererDir, 'index.html'))) {
    log.warn(`${rendererDir} has no built app yet: run \`npm run build\``);
  }
  return {
    url,
    origin,
    token,
    port,
    async close() {
      clearTimeout(pageGone);
      for (const client of sseClients) client.end();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      clearTimeout(warmUp);
      if (enginePromise) await uploads.removeUnused().catch(() => {});
      if (enginePromise) await (await enginePromise.catch(() => null))?.dispose();
    },
  };
}

interface Engine {
  table: HandlerTable;
  dataDir: string;
  dispose: () => Promise<void>;
}

function requireDataDir(dataDir: string | undefined): string {
  if (!dataDir) throw new Error('startWebHost needs a dataDir when a table is injected');
  return dataDir;
}

async function loadEngine(dataDir: string | undefined, log: AppLog): Promise<Engine> {
  // Imported lazily: loading onnxruntime takes most of a second, and host tests never need it.
  const [{ createAppServices }, { createHandlerTable }] = await Promise.all([
    import('../services.ts'),
    import('../handlers.ts'),
  ]);
  const services = createAppServices({ mode: 'browser', dataDir, log });
  // Before the first call is answered, so no open or batch run can race with it.
  await cleanUpUploads(services);
  return {
    table: createHandlerTable(services),
    dataDir: services.dataDir,
    dispose: () => services.dispose(),
  };
}

/**
 * Uploads are removed when they turn out not to be models, but earlier runs (a killed host, a closed tab) leave
 * the rest behind; this removes those older than a day. Opened models are copied into the library and opened
 * from that copy, but the library still records where a model or reference CSV came from (and the browser's
 * recent list reopens a model by that path), so those uploads stay.
 */
async function cleanUpUploads(services: AppServices): Promise<void> {
  try {
    const { entries } = await services.library.list();
    const keepPaths = entries.flatMap((entry) => [
      entry.sourcePath,
      ...(entry.reference ? [entry.reference.sourcePath] : []),
    ]);
    await removeStaleUploads(services.dataDir, { keepPaths });
  } catch (error) {
    services.log.error('old uploads were not cleaned up', error);
  }
}

const notAModelCodes = new Set<ErrorCode>([
  'empty-file',
  'not-a-file',
  'file-too-large',
  'unsupported-format',
  'corrupt-model',
  'unsupported-model',
  'refused-pickle',
]);

/** Removes `<dataDir>/uploads/<random>/` for a path inside it; anything else is left alone. */
async function removeUpload(dataDir: string, filePath: unknown): Promise<void> {
  if (typeof filePath !== 'string') return;
  const uploadsRoot = path.join(dataDir, 'uploads');
  const relative = path.relative(uploadsRoot, path.resolve(filePath));
  const [folder, ...rest] = relative.split(path.sep);
  if (!folder || folder === '..' || path.isAbsolute(relative) || rest.length !== 1) return;
  await rm(path.join(uploadsRoot, folder), { recursive: true, force: true }).catch(() => {});
}

function abortOnClose(response: ServerResponse): AbortSignal {
  const controller = new AbortController();
  // The client went away before we answered (tab closed, request aborted): stop the work.
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });
  return controller.signal;
}

async function readJsonBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxJsonBodyBytes) throw new AppError('bad-request', 'The request body is larger than 10 MB.');
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('bad-request', 'The request body is not valid JSON.');
  }
}

const statusByCode: Partial<Record<ErrorCode, number>> = {
  'bad-request': 400,
  unauthorized: 401,
  'not-found': 404,
  'model-not-open': 404,
  'file-too-large': 413,
  internal: 500,
};

function sendError(response: ServerResponse, error: AppErrorData, status?: number): void {
  sendJson(response, status ?? statusByCode[error.code] ?? 422, { ok: false, error });
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  response.end(text);
}
