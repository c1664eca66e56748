import { describe, expect, it } from 'vitest';
import {
  type DroppedItemsSource,
  describeDrop,
  selectDroppedFiles,
} from '../../renderer/open/dropped-files.ts';

// Node has File; a dropped folder is a File-like entry whose webkitGetAsEntry() says isDirectory.
function drop(entries: { name: string; directory?: boolean }[]): DroppedItemsSource {
  return {
    files: entries.map((entry) => new File([entry.directory ? '' : 'bytes'], entry.name)),
    items: entries.map((entry) => ({
      kind: 'file',
      webkitGetAsEntry: () => ({ isDirectory: entry.directory === true, name: entry.name }),
    })),
  };
}

describe('what a drop opens', () => {
  it('opens a single dropped model without a notice', () => {
    const selection = selectDroppedFiles(drop([{ name: 'model.onnx' }]));
    expect(selection.file?.name).toBe('model.onnx');
    expect(describeDrop(selection)).toEqual({ notice: null, error: null });
  });

  it('opens the first of several files and names the rest', () => {
    const selection = selectDroppedFiles(drop([{ name: 'a.onnx' }, { name: 'b.pkl' }, { name: 'c.csv' }]));
    expect(selection.file?.name).toBe('a.onnx');
    expect(describeDrop(selection).notice).toBe(
      'ModelDock opens one model at a time; not opened: b.pkl, c.csv.',
    );
  });

  it('a CSV dropped alone is data for Batch, not a model to open', () => {
    const selection = selectDroppedFiles(drop([{ name: 'leads.CSV' }]));
    expect(selection.file).toBeNull();
    expect(selection.csv?.name).toBe('leads.CSV');
    expect(selection.ignoredFiles).toEqual([]);
    const tsv = selectDroppedFiles(drop([{ name: 'notes.txt' }, { name: 'leads.tsv' }]));
    expect(tsv.csv?.name).toBe('leads.tsv');
    expect(tsv.ignoredFiles).toEqual(['notes.txt']);
  });

  it('opens the first model file even when other files come first', () => {
    const selection = selectDroppedFiles(
      drop([{ name: 'README.txt' }, { name: 'lead.ONNX' }, { name: 'b.pkl' }]),
    );
    expect(selection.file?.name).toBe('lead.ONNX');
    expect(selection.ignoredFiles).toEqual(['README.txt', 'b.pkl']);
  });

  it("opens the guide's pickle saved as .bin, and a .sav, ahead of other files", () => {
    const guide = selectDroppedFiles(drop([{ name: 'notes.txt' }, { name: 'pipeline_v1.bin' }]));
    expect(guide.file?.name).toBe('pipeline_v1.bin');
    expect(guide.ignoredFiles).toEqual(['notes.txt']);
    expect(selectDroppedFiles(drop([{ name: 'data.csv' }, { name: 'model.SAV' }])).file?.name).toBe(
      'model.SAV',
    );
  });

  it('falls back to the first file when none looks like a model (main says what it is)', () => {
    expect(selectDroppedFiles(drop([{ name: 'x.txt' }, { name: 'y.dat' }])).file?.name).toBe('x.txt');
  });

  it('refuses a dropped folder with a message that says so', () => {
    const selection = selectDroppedFiles(drop([{ name: 'models', directory: true }]));
    expect(selection.file).toBeNull();
    expect(describeDrop(selection).error).toBe(
      'models is a folder: drop a model file (.onnx, .pkl, .joblib, .bin) instead.',
    );
  });

  it('skips folders dropped together with a model, and names them', () => {
    const selection = selectDroppedFiles(
      drop([{ name: 'exports', directory: true }, { name: 'model.onnx' }]),
    );
    expect(selection.file?.name).toBe('model.onnx');
    expect(describeDrop(selection).notice).toContain(
      "Folders can't be opened, drop the model file inside instead: exports.",
    );
  });

  it('works where the browser offers no entry API', () => {
    const selection = selectDroppedFiles({ files: [new File(['x'], 'm.onnx')] });
    expect(selection.file?.name).toBe('m.onnx');
  });
});

describe('files saved side by side', () => {
  it("opens the course's dv.bin and model.bin together (main finds which holds the model)", () => {
    const selection = selectDroppedFiles(
      drop([{ name: 'dv.bin' }, { name: 'model.bin' }, { name: 'notes.txt' }]),
    );
    expect(selection.file?.name).toBe('dv.bin');
    expect(selection.companions?.map((file) => file.name)).toEqual(['model.bin']);
    expect(selection.ignoredFiles).toEqual(['notes.txt']);
  });

  it('never combines an ONNX model with anything', () => {
    const selection = selectDroppedFiles(drop([{ name: 'model.onnx' }, { name: 'dv.bin' }]));
    expect(selection.companions).toBeUndefined();
    expect(selection.ignoredFiles).toEqual(['dv.bin']);
  });
});
