// A stand-in for the electron module, so the built main bundle (dist/electron/main.cjs) runs under plain Node
// in CI, where there is no Electron binary. It records what main does: the window's options, IPC handlers.
const Module = require('node:module');

const handlers = new Map();
const protocolHandlers = new Map();
const privilegedSchemes = [];
let ready = false;
let window = null;

class WebContents {
  constructor() {
    this.sent = [];
  }
  on() {
    return this;
  }
  once() {
    return this;
  }
  off() {
    return this;
  }
  setWindowOpenHandler() {}
  isDestroyed() {
    return false;
  }
  isLoading() {
    return false;
  }
  send(channel, value) {
    this.sent.push([channel, value]);
  }
}

class BrowserWindow {
  constructor(options) {
    this.options = options;
    this.webContents = new WebContents();
    window = this;
  }
  static fromWebContents(contents) {
    return window && window.webContents === contents ? window : null;
  }
  once() {}
  on() {}
  show() {}
  isMinimized() {
    return false;
  }
  focus() {}
  loadURL(url) {
    this.url = url;
    return Promise.resolve();
  }
}

const dataRoot = process.env.STUB_ELECTRON_DIR;
const paths = {};
const electron = {
  app: {
    requestSingleInstanceLock: () => true,
    on() {},
    whenReady: () => {
      ready = true;
      return Promise.resolve();
    },
    getPath: (name) => paths[name] ?? `${dataRoot}/${name}`,
    setPath: (name, value) => {
      paths[name] = value;
    },
    quit() {},
    addRecentDocument() {},
    clearRecentDocuments() {},
    isPackaged: false,
    getVersion: () => '0.0.0-test',
  },
  BrowserWindow,
  ipcMain: { handle: (channel, handler) => handlers.set(channel, handler) },
  protocol: {
    // Electron throws when this comes after 'ready'; the stub records whether it did.
    registerSchemesAsPrivileged: (schemes) =>
      privilegedSchemes.push(...schemes.map((s) => ({ ...s, ready }))),
    handle: (scheme, handler) => protocolHandlers.set(scheme, handler),
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler() {},
      setPermissionCheckHandler() {},
    },
  },
  dialog: {
    showErrorBox: (title, message) => console.error('error box:', title, message),
    showMessageBox: async () => ({}),
    showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
  },
  Menu: { buildFromTemplate: (template) => template, setApplicationMenu() {} },
  shell: { openExternal() {}, showItemInFolder() {} },
};

const load = Module._load;
Module._load = function loadWithStub(request, ...rest) {
  return request === 'electron' ? electron : load.call(this, request, ...rest);
};

module.exports = { handlers, protocolHandlers, privilegedSchemes, currentWindow: () => window };
