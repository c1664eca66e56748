import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import type { CallContext, HandlerTable } from '../../main/handlers.ts';
import { startWebHost, type WebHost } from '../../main/web/host.ts';
import type { ProgressEvent } from '../../shared/contract/index.ts';

/** A handler table with just what these tests call; the host must not care what the services are. */
function fakeTable(record: { aborted: boolean }): HandlerTable {
  const table = {
    'app.info': async () => ({
      version: '0.0.0',
      node: 'x',
      onnxruntime: 'x',
      mode: 'browser' as const,
      dataDir: 'd',
    }),
    'operation.cancel': async () => ({ cancelled: false }),
    'model.close': async () => ({ closed: true }),
    'model.open': async (
      { path: filePath, operationId }: { path: string; operationId?: string },
      context: CallContext,
    ) => {
      if (filePath.endsWith('.txt.onnx') || filePath.endsWith('keep.onnx')) {
        throw new AppError('unsupported-format', 'This is not a model file.');
      }
      if (filePath.endsWith('mismatch.onnx')) throw new AppError('checksum-mismatch', 'Checksum differs.');
      if (filePath === 'slow') {
        await new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve()));
        record.aborted = true;
        throw new AppError('cancelled', 'Cancelled.');
      }
      context.emit({
        operationId: operationId ?? 'none',
        stage: 'Computing checksums',
        done: 5,
        total: 10,
        unit: 'bytes',
      });
      throw new AppError('file-not-found', `There is no file at ${filePath}.`);
    },
  };
  return table as unknown as HandlerTable;
}

let host: WebHost;
let dataDir: string;
let rendererDir: string;
const record = { aborted: false };

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-web-'));
  rendererDir = path.join(dataDir, 'renderer');
  await import('node:fs/promises').then((fs) => fs.mkdir(rendererDir));
  await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>ModelDock</title>');
  host = await startWebHost({
    dataDir,
    rendererDir,
    table: fakeTable(record),
    uploadLimitBytes: 1024 * 1024,
  });
});

afterAll(async () => {
  await host.close();
  await rm(dataDir, { recursive: true, force: true });
});

function call(name: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${host.origin}/api/call/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** node:http, because fetch won't let a test send a forged Host header. */
function rawGet(urlPath: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: host.port, path: urlPath, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('browser-mode host', () => {
  it('binds to loopback on a free port and puts the token in the URL fragment', () => {
    expect(host.origin).toBe(`http://127.0.0.1:${host.port}`);
    expect(host.port).toBeGreaterThan(0);
    expect(host.url).toBe(`${host.origin}/#token=${host.token}`);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses API calls without the token or with a wrong one (401)', async () => {
    const missing = await call('app.info', {});
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe('unauthorized');
    const wrong = await call('app.info', {}, { 'x-modeldock-token': `${host.token.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    const events = await fetch(`${host.origin}/api/events`);
    expect(events.status).toBe(401);
    const upload = await fetch(`${host.origin}/api/upload?name=a.onnx`, { method: 'POST', body: 'x' });
    expect(upload.status).toBe(401);
  });

  it('answers calls with the token through the handler table', async () => {
    const response = await call('app.info', {}, { 'x-modeldock-token': host.token });
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ ok: true, value: { mode: 'browser' } });
  });

  it('returns typed errors from handlers and from request validation', async () => {
    const missingFile = await call('model.open', { path: '/nope.onnx' }, { 'x-modeldock-token': host.token });
    expect(missingFile.status).toBe(422);
    expect((await missingFile.json()).error).toEqual({
      code: 'file-not-found',
      message: 'There is no file at /nope.onnx.',
    });
    const invalid = await call('model.open', { path: 42 }, { 'x-modeldock-token': host.token });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).error.code).toBe('bad-request');
    const unknown = await call('no.such.call', {}, { 'x-modeldock-token': host.token });
    expect((await unknown.json()).error.message).toContain('no call named');
  });

  it('refuses a path longer than the contract allows at the boundary, with a short answer', async () => {
    const response = await call(
      'model.open',
      { path: `/${'a'.repeat(9 * 1024 * 1024)}.onnx` },
      { 'x-modeldock-token': host.token },
    );
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text.length).toBeLessThan(1024);
    expect(JSON.parse(text).error.message).toContain('A file path is at most 32767 characters long.');
  });

  it('rejects requests whose Host header is not its own loopback address (DNS rebinding)', async () => {
    const rebound = await rawGet('/', { host: `evil.example:${host.port}` });
    expect(rebound.status).toBe(403);
    const otherPort = await rawGet(`/api/events?token=${host.token}`, { host: `127.0.0.1:${host.port + 1}` });
    expect(otherPort.status).toBe(403);
    const localhost = await rawGet('/', { host: `localhost:${host.port}` });
    expect(localhost.status).toBe(200);
  });

  it('never sends CORS headers, even to a cross-origin request', async () => {
    const response = await call(
      'app.info',
      {},
      { 'x-modeldock-token': host.token, origin: 'https://evil.example' },
    );
    expect([...response.headers.keys()].filter((name) => name.startsWith('access-control-'))).toEqual([]);
    const preflight = await fetch(`${host.origin}/api/call/app.info`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the app with a strict Content-Security-Policy and keeps static paths inside the build', async () => {
    const page = await fetch(`${host.origin}/`);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    expect(await page.text()).toContain('<title>ModelDock</title>');
    const traversal = await rawGet('/..%2f..%2fpackage.json', { host: `127.0.0.1:${host.port}` });
    expect(traversal.body).not.toContain('"name"');
  });

  it('streams an upload into <dataDir>/uploads/<random>/<sanitized name>', async () => {
    const bytes = Buffer.alloc(300_000, 7);
    const response = await fetch(
      `${host.origin}/api/upload?name=${encodeURIComponent('../../evil\u0000.onnx')}`,
      {
        method: 'POST',
        headers: { 'x-modeldock-token': host.token },
        body: bytes,
      },
    );
    expect(response.status).toBe(200);
    const { path: stored, sizeBytes } = (await response.json()) as { path: string; sizeBytes: number };
    expect(sizeBytes).toBe(bytes.length);
    expect(path.dirname(path.dirname(stored))).toBe(path.join(dataDir, 'uploads'));
    expect(path.basename(stored)).toBe('evil_.onnx');
    expect((await readFile(stored)).equals(bytes)).toBe(true);
  });

  it('removes an uploaded file that does not open as a model, and nothing outside the uploads', async () => {
    const upload = async (name: string) => {
      const response = await fetch(`${host.origin}/api/upload?name=${name}`, {
        method: 'POST',
        headers: { 'x-modeldock-token': host.token },
        body: 'not a model',
      });
      return ((await response.json()) as { path: string }).path;
    };
    const stored = await upload('notes.txt.onnx');
    const opened = await call('model.open', { path: stored }, { 'x-modeldock-token': host.token });
    expect((await opened.json()).error.code).toBe('unsupported-format');
    await expect(readFile(stored)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(path.join(dataDir, 'uploads'))).not.toContain(path.basename(path.dirname(stored)));

    // A checksum mismatch keeps the upload: the same file may be checked against another checksum.
    const mismatch = await upload('mismatch.onnx');
    await call('model.open', { path: mismatch }, { 'x-modeldock-token': host.token });
    expect(await readFile(mismatch, 'utf8')).toBe('not a model');

    const outside = path.join(dataDir, 'keep.onnx');
    await writeFile(outside, 'x');
    await call('model.open', { path: outside }, { 'x-modeldock-token': host.token });
    await call(
      'model.open',
      { path: path.join(dataDir, 'uploads', '..', 'keep.onnx') },
      { 'x-modeldock-token': host.token },
    );
    expect(await readFile(outside, 'utf8')).toBe('x');
  });

  it('refuses uploads over the limit with file-too-large and leaves no partial file', async () => {
    const before = await readdir(path.join(dataDir, 'uploads')).catch(() => []);
    const response = await fetch(`${host.origin}/api/upload?name=big.bin`, {
      method: 'POST',
      headers: { 'x-modeldock-token': host.token },
      body: Buffer.alloc(2 * 1024 * 1024),
    });
    expect(response.status).toBe(413);
    expect((await response.json()).error.code).toBe('file-too-large');
    expect(await readdir(path.join(dataDir, 'uploads')).catch(() => [])).toEqual(before);
  });

  it('delivers progress events over server-sent events', async () => {
    const controller = new AbortController();
    const events = await fetch(`${host.origin}/api/events?token=${host.token}`, {
      signal: controller.signal,
    });
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = events.body!.getReader();
    await reader.read(); // ": connected"
    await call('model.open', { path: '/x.onnx', operationId: 'op-1' }, { 'x-modeldock-token': host.token });
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text).toContain('event: progress');
    const event = JSON.parse(text.split('data: ')[1]!) as ProgressEvent;
    expect(event).toMatchObject({ operationId: 'op-1', done: 5, total: 10 });
    controller.abort();
  });

  it('aborts the handler when the client goes away', async () => {
    record.aborted = false;
    const controller = new AbortController();
    const pending = fetch(`${host.origin}/api/call/model.open`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-modeldock-token': host.token },
      body: JSON.stringify({ path: 'slow' }),
      signal: controller.signal,
    }).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await pending;
    await expect.poll(() => record.aborted, { timeout: 2000 }).toBe(true);
  });
});
