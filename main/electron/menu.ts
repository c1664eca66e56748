// Thin Electron wrapper over menu-template.ts: builds the Menu, and the About and Show Logs actions.
// main.ts owns the window and the recent list, and calls buildAppMenu again whenever they change.
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { app, type BrowserWindow, dialog, Menu, shell } from 'electron';
import { env as onnxruntimeEnv } from 'onnxruntime-node';
import { type AboutVersions, type AppMenuActions, aboutDetail, appMenuTemplate } from './menu-template.ts';

export type { AppMenuActions } from './menu-template.ts';

export interface BuildAppMenuOptions {
  recentModels: readonly string[];
  canExport: boolean;
  actions: AppMenuActions;
}

/** Use with `Menu.setApplicationMenu(buildAppMenu({...}))`. */
export function buildAppMenu(options: BuildAppMenuOptions): Menu {
  return Menu.buildFromTemplate(
    appMenuTemplate(
      {
        platform: process.platform,
        recentModels: options.recentModels,
        canExport: options.canExport,
        isPackaged: app.isPackaged,
      },
      options.actions,
    ),
  );
}

export interface InstalledAppMenu {
  /** Rebuild the menu after the recent list changes or a model opens or closes. */
  update(change: Partial<Pick<BuildAppMenuOptions, 'recentModels' | 'canExport'>>): void;
}

/** Sets the application menu and keeps its state, so main.ts only reports changes. */
export function installAppMenu(options: BuildAppMenuOptions): InstalledAppMenu {
  let current = options;
  Menu.setApplicationMenu(buildAppMenu(current));
  return {
    update(change) {
      current = { ...current, ...change };
      Menu.setApplicationMenu(buildAppMenu(current));
    },
  };
}

export function appVersions(): AboutVersions {
  return {
    modeldock: app.getVersion(),
    electron: process.versions.electron ?? 'unknown',
    // onnxruntime-node records its own version here when it loads.
    onnxruntime: onnxruntimeEnv.versions.node ?? onnxruntimeEnv.versions.common,
    node: process.versions.node,
    chrome: process.versions.chrome,
  };
}

export async function showAboutDialog(parent?: BrowserWindow): Promise<void> {
  const options = {
    type: 'info' as const,
    title: 'About ModelDock',
    message: 'ModelDock',
    detail: aboutDetail(appVersions()),
    buttons: ['OK'],
  };
  if (parent) await dialog.showMessageBox(parent, options);
  else await dialog.showMessageBox(options);
}

/** Reveal the current log file in the file manager ("Help → Show Logs"). */
export function showLogs(logFilePath: string): void {
  shell.showItemInFolder(logFilePath);
}
