// The application menu as plain data, so its structure is tested without Electron.
// menu.ts turns it into a real Menu with Menu.buildFromTemplate. Only a type comes from electron.
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';

export interface AppMenuActions {
  openModel(): void;
  openRecent(filePath: string): void;
  clearRecent(): void;
  exportBundle(): void;
  showAbout(): void;
  showLogs(): void;
}

export interface AppMenuState {
  platform: NodeJS.Platform;
  /** Most recent first; shown by file name, opened by full path. */
  recentModels: readonly string[];
  /** Export needs an open model. */
  canExport: boolean;
  /** Developer tools only in development builds. */
  isPackaged: boolean;
}

export const MAX_RECENT_IN_MENU = 10;

export function appMenuTemplate(state: AppMenuState, actions: AppMenuActions): MenuItemConstructorOptions[] {
  const isMac = state.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  // macOS puts About and Quit under the application menu; elsewhere they live in Help and File.
  if (isMac) {
    template.push({
      label: 'ModelDock',
      submenu: [
        { label: 'About ModelDock', click: () => actions.showAbout() },
        { type: 'separator' },
        { role: 'services' },
        { type: 'separator' },
        { role: 'hide' },
        { role: 'hideOthers' },
        { role: 'unhide' },
        { type: 'separator' },
        { role: 'quit' },
      ],
    });
  }
  template.push(
    {
      label: '&File',
      submenu: [
        { label: 'Open Model…', accelerator: 'CmdOrCtrl+O', click: () => actions.openModel() },
        { label: 'Open Recent', submenu: recentSubmenu(state.recentModels, actions) },
        { type: 'separator' },
        {
          label: 'Export Docker Bundle…',
          accelerator: 'CmdOrCtrl+E',
          enabled: state.canExport,
          click: () => actions.exportBundle(),
        },
        { type: 'separator' },
        isMac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    {
      label: '&Edit',
      submenu: [
        { role: 'undo' },
        { role: 'redo' },
        { type: 'separator' },
        { role: 'cut' },
        { role: 'copy' },
        { role: 'paste' },
        { role: 'selectAll' },
      ],
    },
    {
      label: '&View',
      submenu: [
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
        ...(state.isPackaged
          ? []
          : [
              { type: 'separator' } as const,
              { role: 'reload' } as const,
              { role: 'toggleDevTools' } as const,
            ]),
      ],
    },
    {
      label: '&Help',
      role: 'help',
      submenu: [
        ...(isMac ? [] : [{ label: 'About ModelDock', click: () => actions.showAbout() }]),
        { label: 'Show Logs', click: () => actions.showLogs() },
      ],
    },
  );
  return template;
}

function recentSubmenu(recent: readonly string[], actions: AppMenuActions): MenuItemConstructorOptions[] {
  if (recent.length === 0) return [{ label: 'No Recent Models', enabled: false }];
  const shown = recent.slice(0, MAX_RECENT_IN_MENU);
  return [
    ...shown.map(
      (filePath): MenuItemConstructorOptions => ({
        label: recentLabel(filePath, shown),
        toolTip: filePath,
        click: () => actions.openRecent(filePath),
      }),
    ),
    { type: 'separator' },
    { label: 'Clear Recent', click: () => actions.clearRecent() },
  ];
}

/** The file name; the parent folder is added when two recent models share a name. */
export function recentLabel(filePath: string, all: readonly string[]): string {
  const name = path.basename(filePath);
  const clash = all.some((other) => other !== filePath && path.basename(other) === name);
  // A menu label treats & as a mnemonic marker; double it to show it literally.
  const label = clash ? `${name} — ${path.basename(path.dirname(filePath))}` : name;
  return label.replaceAll('&', '&&');
}

export interface AboutVersions {
  modeldock: string;
  electron: string;
  onnxruntime: string;
  node: string;
  chrome?: string;
}

/** The About box body: one "Name version" line per component. */
export function aboutDetail(versions: AboutVersions): string {
  const lines = [
    `ModelDock ${versions.modeldock}`,
    `Electron ${versions.electron}`,
    `onnxruntime ${versions.onnxruntime}`,
    `Node ${versions.node}`,
  ];
  if (versions.chrome !== undefined) lines.push(`Chromium ${versions.chrome}`);
  return lines.join('\n');
}
