// The desktop window's security rules, asserted on the code that applies them: window.ts, ipc.ts and
// security-policy.ts run here against a stand-in for the electron module (there is no Electron binary in
// CI), and the CSP is judged by the same evaluator Electronegativity uses, not by restating it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CspEvaluator, CspParser, severities, Version } from '@doyensec/csp-evaluator';
import { beforeEach, describe, expect, it, vi } from 'vitest';

type Listener = (...args: unknown[]) => unknown;

const electron = vi.hoisted(() => {
  class FakeWebContents {
    listeners = new Map<string, Listener[]>();
    windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
    on(event: string, listener: Listener) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), listener]);
      return this;
    }
    once(event: string, listener: Listener) {
      return this.on(event, listener);
    }
    off() {
      return this;
    }
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.windowOpenHandler = handler;
    }
    isDestroyed() {
      return false;
    }
    send() {}
    emit(event: string, ...args: unknown[]) {
      for (const listener of this.listeners.get(event) ?? []) listener(...args);
    }
  }
  class FakeBrowserWindow {
    static created: FakeBrowserWindow[] = [];
    static fromWebContents(contents: unknown) {
      return FakeBrowserWindow.created.find((window) => window.webContents === contents) ?? null;
    }
    webContents = new FakeWebContents();
    loaded: string[] = [];
    constructor(readonly options: { webPreferences: Record<string, unknown> }) {
      FakeBrowserWindow.created.push(this);
    }
    once() {}
    on() {}
    show() {}
    loadURL(url: string) {
      this.loaded.push(url);
      return Promise.resolve();
    }
  }
  const handlers = new Map<string, Listener>();
  return {
    FakeBrowserWindow,
    FakeWebContents,
    handlers,
    openExternal: vi.fn(async (_url: string) => {}),
    module: {
      BrowserWindow: FakeBrowserWindow,
      ipcMain: { handle: (channel: string, handler: Listener) => handlers.set(channel, handler) },
      shell: { openExternal: (url: string) => electron.openExternal(url) },
      protocol: { registerSchemesAsPrivileged: () => {}, handle: () => {} },
    },
  };
});
vi.mock('electron', () => electron.module);

const { rendererCsp, ipcChannels } = await import('../../main/electron/security-policy.ts');
const { applySessionPolicy, appPageUrl, createMainWindow } = await import('../../main/electron/window.ts');
const { appProtocolResponse } = await import('../../main/electron/app-protocol.ts');
const { registerIpc } = await import('../../main/electron/ipc.ts');
type HandlerTable = Parameters<typeof registerIpc>[0]['table'];

const root = path.resolve(import.meta.dirname, '../..');

function cspDirectives(policy: string): Map<string, string[]> {
  return new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map(([name, ...values]) => [name!.toLowerCase(), values]),
  );
}

describe('Content-Security-Policy', () => {
  it('has no weakness the CSP evaluator rates high or medium (no unsafe-inline, eval, wildcards or remote hosts)', () => {
    const findings = new CspEvaluator(new CspParser(rendererCsp).csp, Version.CSP3).evaluate();
    const serious = findings.filter((finding) => finding.severity <= severities.MEDIUM);
    expect(serious.map((finding) => `${finding.directive}: ${finding.description}`)).toEqual([]);
  });

  it('loads scripts only from the app itself and allows nothing by default', () => {
    const directives = cspDirectives(rendererCsp);
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    for (const [name, values] of directives) {
      expect(
        values.filter((value) => /unsafe|^\*$|^https?:|^ws/.test(value)),
        name,
      ).toEqual([]);
    }
  });

  it('is sent with every app:// response, the page and refusals alike', async () => {
    // webRequest's header hooks don't run for custom protocols, so the protocol handler sets the header.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-csp-'));
    try {
      fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
      for (const url of [
        'app://modeldock/index.html',
        'app://modeldock/missing.js',
        'app://modeldock/%2e%2e/x',
      ]) {
        const response = await appProtocolResponse({ url, method: 'GET' }, dir);
        expect(response.headers.get('content-security-policy'), url).toBe(rendererCsp);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is also in the page itself (renderer/index.html), no looser than the header', () => {
    const html = fs.readFileSync(path.join(root, 'renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/i.exec(html);
    expect(meta, 'index.html has a CSP meta tag').not.toBeNull();
    const header = cspDirectives(rendererCsp);
    for (const [name, values] of cspDirectives(meta![1]!)) expect(values, name).toEqual(header.get(name));
  });
});

describe('permissions', () => {
  it('refuses every permission request but writing sanitized text to the clipboard', () => {
    let requestHandler: Listener | null = null;
    let checkHandler: Listener | null = null;
    applySessionPolicy({
      setPermissionRequestHandler: (handler: Listener) => (requestHandler = handler),
      setPermissionCheckHandler: (handler: Listener) => (checkHandler = handler),
    } as never);
    const answers = new Map<string, unknown>();
    for (const permission of [
      'media',
      'geolocation',
      'notifications',
      'openExternal',
      'clipboard-read',
      'clipboard-sanitized-write',
    ]) {
      requestHandler!(null, permission, (granted: boolean) => answers.set(permission, granted));
      expect(checkHandler!(null, permission), permission).toBe(answers.get(permission));
    }
    expect([...answers].filter(([, granted]) => granted).map(([permission]) => permission)).toEqual([
      'clipboard-sanitized-write',
    ]);
  });
});

describe('the window', () => {
  beforeEach(() => {
    electron.FakeBrowserWindow.created.length = 0;
    electron.openExternal.mockClear();
  });

  it('is created with context isolation, the sandbox, no Node integration and web security', () => {
    createMainWindow('/app/preload.cjs');
    const prefs = electron.FakeBrowserWindow.created[0]!.options.webPreferences;
    // Exactly this set, no more, no less (window.ts holds their one definition).
    expect(prefs).toEqual({
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
      disableBlinkFeatures: 'Auxclick',
      preload: '/app/preload.cjs',
    });
  });

  it('loads the app page from app://, not file://', () => {
    const window = createMainWindow('/app/preload.cjs') as unknown as InstanceType<
      typeof electron.FakeBrowserWindow
    >;
    expect(window.loaded).toEqual(['app://modeldock/index.html']);
    expect(appPageUrl()).toBe('app://modeldock/index.html');
  });

  it('never navigates or redirects away from the app page', () => {
    const window = createMainWindow('/app/preload.cjs');
    const contents = (window as unknown as InstanceType<typeof electron.FakeBrowserWindow>).webContents;
    for (const event of ['will-navigate', 'will-redirect']) {
      for (const [url, allowed] of [
        ['https://attacker.example/', false],
        ['file:///etc/passwd', false],
        ['file:///opt/ModelDock/resources/app.asar/dist/renderer/index.html', false],
        ['app://other/index.html', false],
        [`${appPageUrl()}#/model`, true],
      ] as const) {
        const navigation = { preventDefault: vi.fn() };
        contents.emit(event, navigation, url);
        expect(navigation.preventDefault.mock.calls.length > 0, `${event} ${url}`).toBe(!allowed);
      }
    }
  });

  it('opens no new windows; only https links to allow-listed hosts go to the system browser', () => {
    const window = createMainWindow('/app/preload.cjs');
    const handler = (window as unknown as InstanceType<typeof electron.FakeBrowserWindow>).webContents
      .windowOpenHandler!;
    for (const url of [
      'https://onnx.ai/',
      'https://scikit-learn.org/stable/',
      'https://attacker.example/',
      'https://onnx.ai.attacker.example/',
      'https://onnx.ai@attacker.example/',
      'file:///etc/passwd',
      'javascript:alert(1)',
      'smb://host/share',
      'http://onnx.ai/',
    ]) {
      expect(handler({ url }), url).toEqual({ action: 'deny' });
    }
    expect(electron.openExternal.mock.calls).toEqual([
      ['https://onnx.ai/'],
      ['https://scikit-learn.org/stable/'],
    ]);
  });

  it('sends a followed link to an allow-listed host to the system browser instead of navigating', () => {
    const window = createMainWindow('/app/preload.cjs');
    const contents = (window as unknown as InstanceType<typeof electron.FakeBrowserWindow>).webContents;
    for (const url of ['https://onnxruntime.ai/docs/', 'https://attacker.example/']) {
      const navigation = { preventDefault: vi.fn() };
      contents.emit('will-navigate', navigation, url);
      expect(navigation.preventDefault, url).toHaveBeenCalled();
    }
    expect(electron.openExternal.mock.calls).toEqual([['https://onnxruntime.ai/docs/']]);
  });

  it('blocks <webview> attachment', () => {
    const window = createMainWindow('/app/preload.cjs');
    const attach = { preventDefault: vi.fn() };
    (window as unknown as InstanceType<typeof electron.FakeBrowserWindow>).webContents.emit(
      'will-attach-webview',
      attach,
    );
    expect(attach.preventDefault).toHaveBeenCalled();
  });
});

describe('IPC sender checks', () => {
  const pageUrl = 'app://modeldock/index.html';

  function setup() {
    electron.handlers.clear();
    const appWindow = new electron.FakeBrowserWindow({ webPreferences: {} });
    const otherWindow = new electron.FakeBrowserWindow({ webPreferences: {} });
    const appInfo = vi.fn(async () => ({}));
    const takePendingOpenPaths = vi.fn(() => ['/m/a.onnx']);
    registerIpc({
      table: { 'app.info': appInfo } as unknown as HandlerTable,
      appPageUrl: pageUrl,
      appWindow: () => appWindow as never,
      takePendingOpenPaths,
    });
    const event = (
      window: InstanceType<typeof electron.FakeBrowserWindow>,
      url: string,
      parent: unknown = null,
    ) => ({
      sender: window.webContents,
      senderFrame: { url, parent },
    });
    return { appWindow, otherWindow, appInfo, takePendingOpenPaths, event };
  }

  it('runs calls from the app window top frame on the app page', async () => {
    const { appWindow, appInfo, event } = setup();
    await electron.handlers.get(ipcChannels.call)!(event(appWindow, `${pageUrl}#/`), 'app.info', {});
    expect(appInfo).toHaveBeenCalledTimes(1);
  });

  it.each([
    [
      'a sub-frame of the app window',
      (s: ReturnType<typeof setup>) => s.event(s.appWindow, pageUrl, { url: pageUrl }),
    ],
    [
      'the app window after navigating elsewhere',
      (s: ReturnType<typeof setup>) => s.event(s.appWindow, 'https://attacker.example/'),
    ],
    ['another window on the same page', (s: ReturnType<typeof setup>) => s.event(s.otherWindow, pageUrl)],
    [
      'a sender without a frame',
      (s: ReturnType<typeof setup>) => ({ sender: s.appWindow.webContents, senderFrame: null }),
    ],
  ])('refuses calls from %s without running them', async (_name, makeEvent) => {
    const s = setup();
    const result = (await electron.handlers.get(ipcChannels.call)!(makeEvent(s), 'app.info', {})) as {
      ok: boolean;
      error: { code: string };
    };
    expect(result.ok).toBe(false);
    expect(result.error.code).toBe('unauthorized');
    expect(s.appInfo).not.toHaveBeenCalled();
    expect(await electron.handlers.get(ipcChannels.pendingOpenPaths)!(makeEvent(s))).toEqual([]);
    expect(s.takePendingOpenPaths).not.toHaveBeenCalled();
  });

  it('registers a sender check on every channel it handles', async () => {
    const s = setup();
    const stranger = s.event(s.otherWindow, 'https://attacker.example/');
    for (const [channel, handler] of electron.handlers) {
      const result = await handler(stranger, 'app.info', {});
      expect(JSON.stringify(result ?? null), channel).not.toContain('/m/a.onnx');
    }
    expect(s.appInfo).not.toHaveBeenCalled();
    expect(s.takePendingOpenPaths).not.toHaveBeenCalled();
  });
});
