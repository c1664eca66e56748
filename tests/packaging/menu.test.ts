// menu.ts (the Electron side of the menu) against a stand-in electron module.
import { createRequire } from 'node:module';
import { describe, expect, it, vi } from 'vitest';

const electron = vi.hoisted(() => ({
  built: [] as unknown[],
  applied: [] as unknown[],
  shown: [] as string[],
  boxes: [] as Array<{ detail: string }>,
}));
vi.mock('electron', () => ({
  app: { isPackaged: true, getVersion: () => '9.8.7' },
  Menu: {
    buildFromTemplate: (template: unknown) => {
      electron.built.push(template);
      return { template };
    },
    setApplicationMenu: (menu: unknown) => electron.applied.push(menu),
  },
  dialog: {
    showMessageBox: async (options: { detail: string }) => {
      electron.boxes.push(options);
      return { response: 0 };
    },
  },
  shell: { showItemInFolder: (file: string) => electron.shown.push(file) },
}));

const { appVersions, installAppMenu, showAboutDialog, showLogs } = await import(
  '../../main/electron/menu.ts'
);
const require = createRequire(import.meta.url);

const noop = () => {};
const actions = {
  openModel: noop,
  openRecent: noop,
  clearRecent: noop,
  exportBundle: noop,
  showAbout: noop,
  showLogs: noop,
};
type Item = { label?: string; enabled?: boolean; submenu?: Item[] };

describe('menu.ts', () => {
  it('sets the application menu and rebuilds it when the state changes', () => {
    const menu = installAppMenu({ recentModels: [], canExport: false, actions });
    menu.update({ canExport: true, recentModels: ['/m/churn.onnx'] });
    expect(electron.applied).toHaveLength(2);
    const last = (electron.applied.at(-1) as { template: Item[] }).template;
    const file = last.find((item) => item.label === '&File')!.submenu!;
    expect(file.find((item) => item.label === 'Export Docker Bundle…')!.enabled).toBe(true);
    expect(file.find((item) => item.label === 'Open Recent')!.submenu![0]!.label).toBe('churn.onnx');
  });

  it('shows the real versions of ModelDock, Electron, onnxruntime and Node in About', async () => {
    const versions = appVersions();
    expect(versions.modeldock).toBe('9.8.7');
    expect(versions.onnxruntime).toBe(
      (require('onnxruntime-node/package.json') as { version: string }).version,
    );
    expect(versions.node).toBe(process.versions.node);
    await showAboutDialog();
    expect(electron.boxes[0]!.detail).toContain(`onnxruntime ${versions.onnxruntime}`);
    expect(electron.boxes[0]!.detail).toContain(`Node ${process.versions.node}`);
  });

  it('reveals the log file for Show Logs', () => {
    showLogs('/logs/modeldock.log');
    expect(electron.shown).toEqual(['/logs/modeldock.log']);
  });
});
