import { describe, expect, it } from 'vitest';
import { loadRecentModels, type RecentModel, rememberModel } from '../../renderer/open/recent-models.ts';
import type { ModelInfo } from '../../shared/contract/index.ts';

function info(filePath: string): ModelInfo {
  return {
    file: {
      path: filePath,
      fileName: filePath.split('/').pop()!,
      sizeBytes: 10,
      sha256: 'a'.repeat(64),
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

  it('survives a damaged stored list', () => {
    expect(loadRecentModels({ getItem: () => '{not json' })).toEqual([]);
    expect(loadRecentModels({ getItem: () => '[{"path": 3}, {"path": "/a.onnx"}]' })).toEqual([
      { path: '/a.onnx' },
    ]);
  });
});
