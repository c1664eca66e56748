import { describe, expect, it } from 'vitest';
import { sanitizeFileName } from '../../main/web/uploads.ts';

describe('sanitizeFileName', () => {
  it('keeps ordinary names as they are', () => {
    expect(sanitizeFileName('lead_scoring v2.onnx')).toBe('lead_scoring v2.onnx');
  });

  it('drops directories, so an upload cannot leave its folder', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFileName('C:\\Users\\me\\model.pkl')).toBe('model.pkl');
  });

  it('replaces control and reserved characters and leading dots', () => {
    expect(sanitizeFileName('a\u0001b<c>:d|e?.onnx')).toBe('a_b_c__d_e_.onnx');
    expect(sanitizeFileName('..hidden.onnx')).toBe('hidden.onnx');
    expect(sanitizeFileName('...')).toBe('upload');
  });

  it('shortens long names but keeps the extension', () => {
    const name = sanitizeFileName(`${'x'.repeat(300)}.joblib`);
    expect(name.length).toBe(120);
    expect(name.endsWith('.joblib')).toBe(true);
  });
});
