import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { describeInputFile, runModel } from '../../main/library/run-history.ts';
import { runCliCaptured } from '../helpers/run-cli.ts';
import { createLibrary, leadCsv, removeTempDirs, sampleModel, tempDir } from '../library/helpers.ts';

let dataDir: string;
const saved = process.env.MODELDOCK_DATA_DIR;
beforeAll(async () => {
  dataDir = await tempDir('modeldock-history-');
  process.env.MODELDOCK_DATA_DIR = dataDir;
});
afterAll(async () => {
  if (saved === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = saved;
  await removeTempDirs();
});

describe('modeldock history', () => {
  test('lists nothing at first, then a kept run; "show" prints it with its result', async () => {
    expect(await runCliCaptured(['history'])).toMatchObject({ code: 0, stdout: 'No runs kept yet.\n' });
    const { models, library } = createLibrary(dataDir);
    const info = await models.open(sampleModel);
    await library.addFromOpen(info);
    const kept = await library.recordRun(
      {
        kind: 'batch',
        via: 'cli',
        models: [runModel(info, 'model')],
        input: await describeInputFile(leadCsv),
        settings: { threshold: 0.5, numberFormat: 'plain' },
        metrics: { rows: 1462, rocAuc: 0.79 },
        outputs: { output: '/tmp/out.csv' },
      },
      { rows: 1462 },
    );
    await models.closeAll();
    const listed = await runCliCaptured(['history']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toContain(`${kept.id}`);
    expect(listed.stdout).toContain('lead_scoring v1 (lead_scoring.onnx, sha256 d1caf06d3c9e…)');
    expect(listed.stdout).toContain('course_lead_scoring.csv (79413 bytes');
    expect(listed.stdout).toContain('rocAuc 0.7900');
    const shown = await runCliCaptured(['history', 'show', kept.id, '--json']);
    expect(JSON.parse(shown.stdout)).toEqual({ record: kept, result: { rows: 1462 } });
    const missing = await runCliCaptured(['history', 'show', 'nope']);
    expect(missing).toMatchObject({ code: 1, stderr: 'modeldock: There is no run nope in the history.\n' });
    expect((await runCliCaptured(['history', 'list', 'x'])).code).toBe(2);
  });
});
