/**
 * Electron main: thin on purpose. It builds the same services and handler table as the CLI and browser mode,
 * registers them on IPC behind sender checks, and opens one locked-down window. The menu and the log file
 * come from menu.ts and logging/app-log.ts; model paths from the OS (argv, a second launch, macOS open-file) from
 * file-associations.ts.
 */
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import path from 'node:path';
import { app, type BrowserWindow, dialog, session } from 'electron';
import { OPENABLE_MODEL_EXTENSIONS } from '../../shared/model-file-extensions.ts';
import { createHandlerTable } from '../handlers.ts';
import { installCrashHandlers } from '../logging/app-log.ts';
import { createAppServices } from '../services.ts';
import { createModelOpenQueue, modelPathsFromArgv } from './file-associations.ts';
import { registerIpc } from './ipc.ts';
import { type InstalledAppMenu, installAppMenu, showAboutDialog, showLogs } from './menu.ts';
import { ipcChannels } from './security-policy.ts';
import {
  applySessionPolicy,
  appPageUrl,
  createMainWindow,
  registerAppScheme,
  serveAppProtocol,
} from './window.ts';

// Privileged schemes can only be registered before the app is ready.
registerAppScheme();

let mainWindow: BrowserWindow | null = null;
let menu: InstalledAppMenu | null = null;
const recentModels: string[] = [];

/** Paths wait here until the page asks for them (it subscribes first, so none is lost). */
const openQueue = createModelOpenQueue((modelPath) => {
  if (!mainWindow || mainWindow.webContents.isDestroyed()) return;
  mainWindow.webContents.send(ipcChannels.openPath, modelPath);
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
});
for (const modelPath of modelPathsFromArgv(process.argv)) openQueue.push(modelPath);

function rememberRecent(modelPath: string): void {
  const index = recentModels.indexOf(modelPath);
  if (index >= 0) recentModels.splice(index, 1);
  recentModels.unshift(modelPath);
  recentModels.length = Math.min(recentModels.length, 10);
  app.addRecentDocument(modelPath);
  menu?.update({ recentModels: [...recentModels], canExport: true });
}

async function chooseModelFile(): Promise<void> {
  const options = {
    properties: ['openFile' as const],
    // "All files" too: the format is detected by content, so a model saved under any name can be tried.
    filters: [
      { name: 'Models', extensions: OPENABLE_MODEL_EXTENSIONS.map((ext) => ext.slice(1)) },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = mainWindow
    ? await dialog.showOpenDialog(mainWindow, options)
    : await dialog.showOpenDialog(options);
  const [chosen] = result.filePaths;
  if (!result.canceled && chosen) openQueue.push(chosen, { chosen: true });
}

// Tests (and portable setups) give each run its own profile; the single-instance lock is per profile.
if (process.env.MODELDOCK_USER_DATA_DIR) app.setPath('userData', process.env.MODELDOCK_USER_DATA_DIR);

if (!app.requestSingleInstanceLock()) {
  // Another ModelDock is running; it receives our argv through 'second-instance'.
  app.quit();
} else {
  // Before the window: the services (and their logger, modeldock.<n>.log in the OS log folder) need no
  // ready app, and the crash handlers need the logger from the start.
  const services = createAppServices({
    mode: 'electron',
    dataDir: process.env.MODELDOCK_DATA_DIR || app.getPath('userData'),
    electronVersion: process.versions.electron,
    logDir: app.getPath('logs'),
  });
  const { log } = services;
  const crashes = installCrashHandlers({
    log,
    showError: (title, message) => dialog.showErrorBox(title, message),
  });

  app.on('second-instance', (_event, argv, workingDirectory) => {
    for (const modelPath of modelPathsFromArgv(argv, { cwd: workingDirectory })) openQueue.push(modelPath);
    if (mainWindow?.isMinimized()) mainWindow.restore();
    mainWindow?.focus();
  });
  app.on('open-file', (event, filePath) => {
    event.preventDefault();
    openQueue.push(filePath);
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-attach-webview', (attachEvent) => attachEvent.preventDefault());
    contents.on('render-process-gone', (_goneEvent, details) =>
      crashes.report('renderer', new Error(`The window's renderer stopped (${details.reason}).`)),
    );
  });

  app.whenReady().then(() => {
    applySessionPolicy(session.defaultSession);
    serveAppProtocol();
    registerIpc({
      table: createHandlerTable(services),
      appPageUrl: appPageUrl(),
      appWindow: () => mainWindow,
      takePendingOpenPaths: () => {
        openQueue.ready();
        return [];
      },
      onCallDone: (name, request, result, ms) => {
        log.call(name, { ok: result.ok, code: result.ok ? undefined : result.error.code, ms });
        if (name === 'model.open' && result.ok) rememberRecent((request as { path: string }).path);
      },
    });
    menu = installAppMenu({
      recentModels: [],
      canExport: false,
      actions: {
        openModel: () => void chooseModelFile(),
        openRecent: (modelPath) => openQueue.push(modelPath, { chosen: true }),
        clearRecent: () => {
          recentModels.length = 0;
          app.clearRecentDocuments();
          menu?.update({ recentModels: [] });
        },
        exportBundle: () => mainWindow?.webContents.send(ipcChannels.menuCommand, 'export'),
        showAbout: () => void showAboutDialog(mainWindow ?? undefined),
        showLogs: () => showLogs(log.filePath ?? app.getPath('logs')),
      },
    });
    mainWindow = createMainWindow(path.join(__dirname, 'preload.cjs'));
    mainWindow.on('closed', () => {
      mainWindow = null;
    });
    log.info('started', { version: app.getVersion(), electron: process.versions.electron });
    app.on('window-all-closed', () => {
      void services
        .dispose()
        .then(() => log.close())
        .finally(() => app.quit());
    });
  });
}
