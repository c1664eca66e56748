import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import {
  type AppMenuActions,
  type AppMenuState,
  aboutDetail,
  appMenuTemplate,
  MAX_RECENT_IN_MENU,
  recentLabel,
} from '../../main/electron/menu-template.ts';

function recordingActions() {
  const calls: string[] = [];
  const actions: AppMenuActions = {
    openModel: () => calls.push('openModel'),
    openRecent: (file) => calls.push(`openRecent:${file}`),
    clearRecent: () => calls.push('clearRecent'),
    exportBundle: () => calls.push('exportBundle'),
    showAbout: () => calls.push('showAbout'),
    showLogs: () => calls.push('showLogs'),
  };
  return { calls, actions };
}

const baseState: AppMenuState = { platform: 'linux', recentModels: [], canExport: true, isPackaged: true };

function submenuOf(template: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions[] {
  const menu = template.find((item) => item.label?.replace('&', '') === label);
  if (!menu || !Array.isArray(menu.submenu)) throw new Error(`no ${label} menu`);
  return menu.submenu;
}
function item(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions {
  const found = items.find((entry) => entry.label === label);
  if (!found)
    throw new Error(`no ${label} item in ${items.map((entry) => entry.label ?? entry.role).join(', ')}`);
  return found;
}
function click(entry: MenuItemConstructorOptions): void {
  (entry.click as () => void)();
}

describe('appMenuTemplate', () => {
  it('has File, Edit, View and Help on Windows and Linux', () => {
    const { actions } = recordingActions();
    expect(appMenuTemplate(baseState, actions).map((menu) => menu.label)).toEqual([
      '&File',
      '&Edit',
      '&View',
      '&Help',
    ]);
  });

  it('wires File → Open, Export and Help → About, Show Logs to the actions', () => {
    const { calls, actions } = recordingActions();
    const template = appMenuTemplate(baseState, actions);
    const file = submenuOf(template, 'File');
    click(item(file, 'Open Model…'));
    click(item(file, 'Export Docker Bundle…'));
    const help = submenuOf(template, 'Help');
    click(item(help, 'About ModelDock'));
    click(item(help, 'Show Logs'));
    expect(calls).toEqual(['openModel', 'exportBundle', 'showAbout', 'showLogs']);
    expect(item(file, 'Open Model…').accelerator).toBe('CmdOrCtrl+O');
  });

  it('disables Export until a model is open', () => {
    const { actions } = recordingActions();
    const file = submenuOf(appMenuTemplate({ ...baseState, canExport: false }, actions), 'File');
    expect(item(file, 'Export Docker Bundle…').enabled).toBe(false);
  });

  it('lists recent models by name, opens them by full path, and can clear them', () => {
    const { calls, actions } = recordingActions();
    const recentModels = ['/a/churn.onnx', '/b/leads.pkl'];
    const recent = item(
      submenuOf(appMenuTemplate({ ...baseState, recentModels }, actions), 'File'),
      'Open Recent',
    ).submenu as MenuItemConstructorOptions[];
    expect(recent.map((entry) => entry.label ?? entry.type)).toEqual([
      'churn.onnx',
      'leads.pkl',
      'separator',
      'Clear Recent',
    ]);
    click(item(recent, 'leads.pkl'));
    click(item(recent, 'Clear Recent'));
    expect(calls).toEqual(['openRecent:/b/leads.pkl', 'clearRecent']);
  });

  it('shows a disabled placeholder when there are no recent models, and at most the limit otherwise', () => {
    const { actions } = recordingActions();
    const empty = item(submenuOf(appMenuTemplate(baseState, actions), 'File'), 'Open Recent')
      .submenu as MenuItemConstructorOptions[];
    expect(empty).toEqual([{ label: 'No Recent Models', enabled: false }]);
    const many = Array.from({ length: 25 }, (_, n) => `/m/model-${n}.onnx`);
    const full = item(
      submenuOf(appMenuTemplate({ ...baseState, recentModels: many }, actions), 'File'),
      'Open Recent',
    ).submenu as MenuItemConstructorOptions[];
    expect(full.filter((entry) => entry.label?.startsWith('model-'))).toHaveLength(MAX_RECENT_IN_MENU);
  });

  it('puts About in the application menu on macOS', () => {
    const { actions } = recordingActions();
    const template = appMenuTemplate({ ...baseState, platform: 'darwin' }, actions);
    expect(template[0]!.label).toBe('ModelDock');
    expect(item(template[0]!.submenu as MenuItemConstructorOptions[], 'About ModelDock')).toBeTruthy();
    expect(submenuOf(template, 'Help').map((entry) => entry.label)).toEqual(['Show Logs']);
  });

  it('offers developer tools only in development builds', () => {
    const { actions } = recordingActions();
    const roles = (isPackaged: boolean) =>
      submenuOf(appMenuTemplate({ ...baseState, isPackaged }, actions), 'View').map((entry) => entry.role);
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(false)).toContain('toggleDevTools');
  });
});

describe('recentLabel', () => {
  it('adds the folder when two recent models share a file name, and escapes menu mnemonics', () => {
    const all = ['/q1/model.onnx', '/q2/model.onnx', '/x/R&D.pkl'];
    expect(recentLabel('/q1/model.onnx', all)).toBe('model.onnx — q1');
    expect(recentLabel('/x/R&D.pkl', all)).toBe('R&&D.pkl');
  });
});

describe('aboutDetail', () => {
  it('lists ModelDock, Electron, onnxruntime and Node versions', () => {
    expect(
      aboutDetail({ modeldock: '0.1.0', electron: '41.7.1', onnxruntime: '1.30.0', node: '22.1.0' }),
    ).toBe('ModelDock 0.1.0\nElectron 41.7.1\nonnxruntime 1.30.0\nNode 22.1.0');
  });
});
