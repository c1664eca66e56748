import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  createModelOpenQueue,
  isModelPath,
  modelPathsFromArgv,
} from '../../main/electron/file-associations.ts';
import { MODEL_FILE_EXTENSIONS, OPENABLE_MODEL_EXTENSIONS } from '../../shared/model-file-extensions.ts';

const cwd = path.resolve('/home/ana/work');

describe('modelPathsFromArgv', () => {
  it('finds the model a packaged app is started with (Windows/Linux double-click)', () => {
    expect(modelPathsFromArgv(['/opt/ModelDock/modeldock', '/home/ana/models/churn.onnx'], { cwd })).toEqual([
      path.resolve('/home/ana/models/churn.onnx'),
    ]);
  });

  it('skips the app directory of a development launch and Chromium switches', () => {
    const argv = [
      '/usr/lib/electron/electron',
      '.',
      '--allow-file-access-from-files',
      '--original-process-start-time=13370000',
      'leads.joblib',
    ];
    expect(modelPathsFromArgv(argv, { cwd })).toEqual([path.join(cwd, 'leads.joblib')]);
  });

  it('resolves relative paths against the given working directory (a second instance has its own)', () => {
    expect(modelPathsFromArgv(['app', '../m/a.pkl'], { cwd: '/tmp/other' })).toEqual([
      path.resolve('/tmp/m/a.pkl'),
    ]);
  });

  it('accepts file:// URLs from Linux desktop entries (%U), spaces and all', () => {
    const file = path.resolve('/home/ana/My Models/lead model.onnx');
    expect(modelPathsFromArgv(['app', pathToFileURL(file).href], { cwd })).toEqual([file]);
  });

  it('ignores other files, other URL schemes, and duplicates, and keeps the order', () => {
    const argv = ['app', 'notes.txt', 'https://example.com/m.onnx', 'b.ONNX', 'a.pkl', 'b.ONNX', 'dir/'];
    expect(modelPathsFromArgv(argv, { cwd })).toEqual([path.join(cwd, 'b.ONNX'), path.join(cwd, 'a.pkl')]);
  });

  it('treats arguments after -- as paths even when they start with a dash', () => {
    expect(modelPathsFromArgv(['app', '--', '-odd-name.onnx'], { cwd })).toEqual([
      path.join(cwd, '-odd-name.onnx'),
    ]);
  });

  it('returns nothing for a plain launch', () => {
    expect(modelPathsFromArgv(['/Applications/ModelDock.app/Contents/MacOS/ModelDock'], { cwd })).toEqual([]);
    expect(modelPathsFromArgv([], { cwd })).toEqual([]);
  });
});

describe('models that are opened but not associated', () => {
  it("opens the guide's pipeline_v1.bin and a .sav given on the command line", () => {
    expect(modelPathsFromArgv(['app', 'pipeline_v1.bin', 'model.SAV', 'notes.txt'], { cwd })).toEqual([
      path.join(cwd, 'pipeline_v1.bin'),
      path.join(cwd, 'model.SAV'),
    ]);
  });

  it('offers more extensions than it associates (.bin is too generic to claim)', () => {
    expect(OPENABLE_MODEL_EXTENSIONS).toEqual(
      expect.arrayContaining([...MODEL_FILE_EXTENSIONS, '.bin', '.sav']),
    );
    expect(MODEL_FILE_EXTENSIONS).not.toContain('.bin');
  });
});

describe('isModelPath', () => {
  it('matches the associated extensions in any case, and nothing that merely contains them', () => {
    expect(['m.onnx', 'M.PKL', 'x.Joblib'].map(isModelPath)).toEqual([true, true, true]);
    expect(['m.onnx.txt', 'onnx', 'pkl', 'm.csv', 'm.onnx.bak'].map(isModelPath)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});

describe('createModelOpenQueue', () => {
  it('holds macOS open-file paths until the window is ready, then delivers them in order', () => {
    const delivered: string[] = [];
    const queue = createModelOpenQueue((file) => delivered.push(file));
    queue.push('/m/a.onnx');
    queue.push('/m/readme.md');
    queue.push('/m/b.pkl');
    queue.push('/m/a.onnx');
    expect(delivered).toEqual([]);
    expect(queue.pending()).toEqual(['/m/a.onnx', '/m/b.pkl']);
    queue.ready();
    expect(delivered).toEqual(['/m/a.onnx', '/m/b.pkl']);
    expect(queue.pending()).toEqual([]);
    queue.push('/m/c.joblib');
    expect(delivered).toEqual(['/m/a.onnx', '/m/b.pkl', '/m/c.joblib']);
  });

  it('delivers a file the user chose (Open dialog "All files") whatever its extension', () => {
    const delivered: string[] = [];
    const queue = createModelOpenQueue((file) => delivered.push(file));
    queue.ready();
    queue.push('/m/model.dat');
    queue.push('/m/model.dat', { chosen: true });
    expect(delivered).toEqual(['/m/model.dat']);
  });
});
