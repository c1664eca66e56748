// The app:// handler the desktop window loads the renderer through (main/electron/app-protocol.ts), run as a
// plain function over a folder laid out like dist/renderer, with a secret file next to it that must stay out
// of reach however the URL is spelled.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_PAGE_URL,
  appProtocolResponse,
  appSchemePrivileges,
  resolveAppRequest,
} from '../../main/electron/app-protocol.ts';
import { rendererCsp } from '../../main/electron/security-policy.ts';
import { fileInsideRoot, rendererContentTypes } from '../../main/security/renderer-files.ts';

let base: string;
let renderer: string;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-app-protocol-'));
  renderer = path.join(base, 'dist', 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>ModelDock</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-abc.js'), 'export const a = 1;');
  fs.writeFileSync(path.join(renderer, 'assets', 'index-abc.css'), 'body{}');
  fs.writeFileSync(path.join(renderer, 'assets', 'notes.txt'), 'not a renderer type');
  fs.mkdirSync(path.join(renderer, 'assets', 'folder.js'));
  fs.writeFileSync(path.join(base, 'dist', 'secret.js'), 'secret');
  fs.writeFileSync(path.join(base, 'package.json'), '{"secret":true}');
  // A sibling whose name starts like the renderer folder: a prefix check alone would let it through.
  fs.mkdirSync(path.join(base, 'dist', 'renderer-evil'));
  fs.writeFileSync(path.join(base, 'dist', 'renderer-evil', 'x.js'), 'secret');
});
afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

const get = (url: string, method = 'GET') => appProtocolResponse({ url, method }, renderer);

describe('app:// protocol', () => {
  it('is registered as a standard, secure scheme and nothing more (no CSP bypass)', () => {
    expect(appSchemePrivileges).toEqual({ standard: true, secure: true });
    expect(APP_PAGE_URL).toBe('app://modeldock/index.html');
  });

  it('serves the page and its assets with their types, the CSP and nosniff', async () => {
    for (const [url, file, type] of [
      [APP_PAGE_URL, 'index.html', 'text/html; charset=utf-8'],
      ['app://modeldock/', 'index.html', 'text/html; charset=utf-8'],
      ['app://modeldock/index.html#/model?x=1', 'index.html', 'text/html; charset=utf-8'],
      ['app://modeldock/assets/index-abc.js', 'assets/index-abc.js', 'text/javascript; charset=utf-8'],
      ['app://modeldock/assets/index-abc.css', 'assets/index-abc.css', 'text/css; charset=utf-8'],
      ['app://modeldock/assets/./x/../index-abc.js', 'assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ] as const) {
      const response = await get(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type'), url).toBe(type);
      expect(response.headers.get('content-security-policy'), url).toBe(rendererCsp);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(await response.text(), url).toBe(fs.readFileSync(path.join(renderer, file), 'utf8'));
    }
  });

  it('answers HEAD without a body', async () => {
    const response = await get(APP_PAGE_URL, 'HEAD');
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('refuses every path out of the renderer folder, however it is spelled', async () => {
    for (const url of [
      'app://modeldock/..%2fsecret.js',
      'app://modeldock/%2e%2e%2fsecret.js',
      'app://modeldock/assets/..%2f..%2fsecret.js',
      'app://modeldock/..%2f..%2fpackage.json',
      'app://modeldock/..%5csecret.js',
      'app://modeldock/assets%5c..%5c..%5csecret.js',
      'app://modeldock/..%2frenderer-evil%2fx.js',
      'app://modeldock/index.html%00.js',
      'app://modeldock/%E0%A4%A',
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(403);
      expect(await response.text(), url).not.toContain('secret');
    }
    // The URL parser folds `..` and `%2e%2e` segments back to the root, and an absolute path is taken as one
    // under the root: both stay inside, so they name files that don't exist there.
    for (const url of [
      'app://modeldock/../../package.json',
      'app://modeldock/%2e%2e/%2e%2e/package.json',
      `app://modeldock/${encodeURIComponent(path.join(base, 'dist', 'secret.js'))}`,
    ]) {
      const response = await get(url);
      expect(response.status, url).toBe(404);
      expect(await response.text(), url).not.toContain('secret');
    }
  });

  it('serves only its own host, GET and HEAD, existing files, and the renderer’s file types', async () => {
    const cases: Array<[string, string, number]> = [
      ['app://other/index.html', 'GET', 404],
      ['file:///etc/passwd', 'GET', 404],
      ['https://modeldock/index.html', 'GET', 404],
      ['app://modeldock/index.html', 'POST', 405],
      ['app://modeldock/missing.js', 'GET', 404],
      ['app://modeldock/assets/folder.js', 'GET', 404],
      ['app://modeldock/assets/notes.txt', 'GET', 404],
      ['app://modeldock/assets', 'GET', 404],
    ];
    for (const [url, method, status] of cases) {
      const response = await get(url, method);
      expect(response.status, `${method} ${url}`).toBe(status);
      expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(await response.text(), url).not.toContain(base);
    }
  });

  it('resolves without touching the disk, so the rule is the same for a folder inside app.asar', () => {
    const asar = '/opt/ModelDock/resources/app.asar/dist/renderer';
    expect(resolveAppRequest('app://modeldock/assets/a.js', 'GET', asar)).toEqual({
      ok: true,
      file: path.join(asar, 'assets', 'a.js'),
      contentType: 'text/javascript; charset=utf-8',
    });
    expect(resolveAppRequest('app://modeldock/..%2fapp.asar.unpacked%2fx.js', 'GET', asar)).toMatchObject({
      ok: false,
      status: 403,
    });
  });
});

describe('renderer files (shared with browser mode)', () => {
  it('keeps a resolved path inside the root', () => {
    expect(fileInsideRoot('/r', '/a/b.js')).toBe(path.resolve('/r/a/b.js'));
    expect(fileInsideRoot('/r', 'a.js')).toBe(path.resolve('/r/a.js'));
    for (const bad of ['/', '', '/..', '/../r2/a.js', '/%2e%2e/x', '/a%5cb', '/%00', '/%zz']) {
      expect(fileInsideRoot('/r', bad), bad).toBeNull();
    }
  });

  it('has a type for every kind of file the built renderer contains', () => {
    const built = path.resolve(import.meta.dirname, '../../dist/renderer');
    // vite's output when it has been built (npm install runs the build); the known kinds otherwise.
    const files = fs.existsSync(built)
      ? fs
          .readdirSync(built, { recursive: true, encoding: 'utf8' })
          .filter((f) => fs.statSync(path.join(built, f)).isFile())
      : ['index.html', 'assets/a.js', 'assets/a.css'];
    for (const file of files) expect(rendererContentTypes[path.extname(file)], file).toBeDefined();
  });
});
