import { describe, expect, it } from 'vitest';
import { loadRecentModels, type RecentModel, rememberModel } from '../../renderer/open/recent-models.ts';
import type { ModelInfo } from '../../shared/contract/index.ts';

function info(filePath: string, sha256 = filePath.padEnd(64, 'a')): ModelInfo {
  return {
    file: {
      path: filePath,
      fileName: filePath.split('/').pop()!,
      sizeBytes: 10,
      sha256,
      md5: 'b',
    },
  } as ModelInfo;
}

describe('recent models', () => {
  it('keeps the newest first, one entry per path, at most eight', () => {
    let list: RecentModel[] = [];
    for (let i = 0; i < 10; i++) list = rememberModel(list, info(`/m/${i}.onnx`));
    list = rememberModel(list, info('/m/5.onnx'));
    expect(list.map((entry) => entry.path)).toEqual([
      '/m/5.onnx',
      '/m/9.onnx',
      '/m/8.onnx',
      '/m/7.onnx',
      '/m/6.onnx',
      '/m/4.onnx',
      '/m/3.onnx',
      '/m/2.onnx',
    ]);
  });

  it('lists each SHA-256 once: the same file under another path replaces the older entry', () => {
    let list: RecentModel[] = [];
    list = rememberModel(list, info('/uploads/1/lead.onnx', 'f'.repeat(64)));
    list = rememberModel(list, info('/m/other.onnx'));
    list = rememberModel(list, info('/uploads/2/lead.onnx', 'f'.repeat(64)));
    expect(list.map((entry) => entry.path)).toEqual(['/uploads/2/lead.onnx', '/m/other.onnx']);
  });

  it('drops repeated checksums from a list saved before, keeping the newest', () => {
    const stored = JSON.stringify([
      { path: '/b.onnx', sha256: 'x' },
      { path: '/a.onnx', sha256: 'y' },
      { path: '/c.onnx', sha256: 'x' },
    ]);
    expect(loadRecentModels({ getItem: () => stored }).map((entry) => entry.path)).toEqual([
      '/b.onnx',
      '/a.onnx',
    ]);
  });

  it('survives a damaged stored list', () => {
    expect(loadRecentModels({ getItem: () => '{not json' })).toEqual([]);
    expect(loadRecentModels({ getItem: () => '[{"path": 3}, {"path": "/a.onnx"}]' })).toEqual([
      { path: '/a.onnx' },
    ]);
  });
});
