import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { bundleTemplate, repoRoot, tempDir } from './helpers.ts';

const execFileAsync = promisify(execFile);
const committed = path.join(bundleTemplate, 'server', 'runtime.generated.js');

describe("the bundle's runtime.generated.js (ModelDock's payload, tensor and prediction rules)", () => {
  it('is what scripts/build-bundle-runtime.mjs generates from main/models today', async () => {
    const dir = await tempDir('runtime');
    const fresh = path.join(dir, 'runtime.generated.js');
    await execFileAsync(
      process.execPath,
      [
        'scripts/build-bundle-runtime.mjs',
        '--out',
        fresh,
        '--score-out',
        path.join(dir, 'score.generated.js'),
      ],
      { cwd: repoRoot },
    );
    const [expected, actual] = await Promise.all([readFile(fresh, 'utf8'), readFile(committed, 'utf8')]);
    expect(
      actual === expected,
      'assets/bundle/server/runtime.generated.js is out of date with main/models/{payload,tensors,predictions}.ts: run `npm run build:bundle-runtime` and commit the result',
    ).toBe(true);
  });

  it("score.generated.js (server/score.js's batch engine) is what the script generates from main/scoring today", async () => {
    const dir = await tempDir('score-runtime');
    const fresh = path.join(dir, 'score.generated.js');
    await execFileAsync(
      process.execPath,
      [
        'scripts/build-bundle-runtime.mjs',
        '--out',
        path.join(dir, 'runtime.generated.js'),
        '--score-out',
        fresh,
      ],
      { cwd: repoRoot },
    );
    const [expected, actual] = await Promise.all([
      readFile(fresh, 'utf8'),
      readFile(path.join(bundleTemplate, 'server', 'score.generated.js'), 'utf8'),
    ]);
    expect(
      actual === expected,
      'assets/bundle/server/score.generated.js is out of date with main/scoring: run `npm run build:bundle-runtime` and commit the result',
    ).toBe(true);
    // score.js runs the generated engine and defines no scoring of its own.
    const scorer = await readFile(path.join(bundleTemplate, 'server', 'score.js'), 'utf8');
    expect(scorer).toMatch(/from '\.\/score\.generated\.js'/);
    expect(scorer).not.toMatch(/csv-parse|function (findSplit|runEngine|readCsvRecords)\b/);
  });

  it('imports nothing but onnxruntime-node, which the bundle installs', async () => {
    const text = await readFile(committed, 'utf8');
    const imports = [...text.matchAll(/^\s*import\b[^'"]*['"]([^'"]+)['"]/gm)].map((match) => match[1]);
    expect(imports).toEqual(['onnxruntime-node']);
    expect(text).not.toMatch(/\brequire\(/);
  });

  it("is what the server's payload and model modules use, instead of copies of their own", async () => {
    for (const file of ['payload.js', 'model.js', 'drift.js', 'oip.js']) {
      const text = await readFile(path.join(bundleTemplate, 'server', file), 'utf8');
      expect(text, file).toMatch(/from '\.\/runtime\.generated\.js'/);
      // The rules live only in the generated file: no second definition of them in the server.
      for (const name of [
        'coerceValue',
        'describeValue',
        'feedShape',
        'tensorValues',
        'labelFor',
        'computePsiFromCounts',
        'missingIsScored',
        'psiFromShares',
        'psiBand',
        'binIndex',
        'toNumber',
      ]) {
        expect(text, `${file} defines ${name}`).not.toMatch(new RegExp(`function ${name}\\b`));
      }
    }
  });
});
