import {
  appErrorSchema,
  type CallName,
  type CallResult,
  type ProgressEvent,
  progressEventSchema,
  tokenHeader,
} from '../../shared/contract/index.ts';
import { ClientError } from './client-error.ts';
import type { FilePathOptions, Transport } from './transport.ts';

/**
 * Browser mode: POST /api/call/<name> with the launch token, server-sent events for progress, and an upload
 * endpoint that stores dropped files in the app's data dir and answers with their path.
 */
export function createHttpTransport(options: { token: string; baseUrl?: string }): Transport {
  const base = options.baseUrl ?? '';
  const headers = { 'content-type': 'application/json', [tokenHeader]: options.token };
  const listeners = new Set<(event: ProgressEvent) => void>();
  let source: EventSource | null = null;

  function ensureEventSource() {
    if (source || typeof EventSource === 'undefined') return;
    source = new EventSource(`${base}/api/events?token=${encodeURIComponent(options.token)}`);
    source.addEventListener('progress', (message) => {
      const parsed = progressEventSchema.safeParse(JSON.parse((message as MessageEvent<string>).data));
      if (!parsed.success) return;
      for (const listener of listeners) listener(parsed.data);
    });
  }

  return {
    mode: 'browser',
    async call(name: CallName, request: unknown, signal?: AbortSignal): Promise<CallResult<CallName>> {
      const response = await fetch(`${base}/api/call/${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(request ?? {}),
        signal,
      });
      return (await readResult(response)) as CallResult<CallName>;
    },
    onProgress(listener) {
      listeners.add(listener);
      ensureEventSource();
      return () => listeners.delete(listener);
    },
    pathForFile: (file, uploadOptions) => uploadFile(base, options.token, file, uploadOptions),
    pendingOpenPaths: async () => [],
    onOpenPath: () => () => {},
    onMenuCommand: () => () => {},
    // A link can't send headers, and a token in its URL would stay in the history: the link gets a
    // one-time ticket instead, asked for with the token in the header.
    downloadUrl: async (path) => {
      const response = await fetch(`${base}/api/download-ticket`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ path }),
      });
      if (!response.ok) throw new Error(`The host has no file to download at ${path}.`);
      const { url } = (await response.json()) as { url: string };
      return `${base}${url}`;
    },
  };
}

async function readResult(response: Response): Promise<unknown> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    return {
      ok: false,
      error: { code: 'internal', message: `The host answered ${response.status} without JSON.` },
    };
  }
  if (response.status === 401) {
    return {
      ok: false,
      error: {
        code: 'unauthorized',
        message: 'This tab has no valid launch token: open the address that `npm run web` printed.',
      },
    };
  }
  return body;
}

/** XMLHttpRequest rather than fetch: it reports upload progress and streams the File from disk. */
function uploadFile(base: string, token: string, file: File, options: FilePathOptions = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', `${base}/api/upload?name=${encodeURIComponent(file.name)}`);
    request.setRequestHeader(tokenHeader, token);
    request.setRequestHeader('content-type', 'application/octet-stream');
    request.upload.onprogress = (event) => options.onProgress?.(event.loaded, event.total || file.size);
    request.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(request.responseText);
      } catch {
        body = null;
      }
      if (request.status === 200 && body && typeof body === 'object' && 'path' in body) {
        resolve(String((body as { path: unknown }).path));
        return;
      }
      const error = appErrorSchema.safeParse((body as { error?: unknown } | null)?.error);
      reject(
        new ClientError(
          error.success
            ? error.data
            : { code: 'io-error', message: `Uploading ${file.name} failed (${request.status}).` },
        ),
      );
    };
    // A folder (or a file the browser can no longer read) fails here, before any byte is sent.
    request.onerror = () =>
      reject(
        new ClientError({
          code: 'not-a-file',
          message: `${file.name} could not be read: is it a folder, or was it moved or deleted? Drop a model file.`,
        }),
      );
    request.onabort = () => reject(new ClientError({ code: 'cancelled', message: 'Cancelled.' }));
    options.signal?.addEventListener('abort', () => request.abort(), { once: true });
    if (options.signal?.aborted) {
      request.abort();
      return;
    }
    request.send(file);
  });
}
