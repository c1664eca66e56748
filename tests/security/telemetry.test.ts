// No process ModelDock starts records or sends onnxruntime telemetry (issue 18). onnxruntime's 1DS SDK
// writes its event store under $XDG_CACHE_HOME or $HOME/.cache (Microsoft/DeveloperTools/.onnxruntime/
// onnxruntime.db, plus a deviceid file) and mat-debug-<pid>.log and .ses into the temp dir, so each run
// here gets a fresh HOME, XDG_CACHE_HOME and TMPDIR, and afterwards they must hold nothing of it.
// The control case runs onnxruntime without ModelDock in the same sandbox and must leave exactly those
// files: it proves the check looks where the SDK writes.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, test } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const sandboxes: string[] = [];
afterAll(() => {
  for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true });
});

interface Sandbox {
  dir: string;
  env: NodeJS.ProcessEnv;
}

function sandbox(): Sandbox {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-telemetry-'));
  sandboxes.push(dir);
  for (const sub of ['home', 'cache', 'tmp', 'out']) mkdirSync(path.join(dir, sub));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: path.join(dir, 'home'),
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    TMPDIR: path.join(dir, 'tmp'),
    MODELDOCK_DATA_DIR: path.join(dir, 'out', 'data'),
  };
  // As a user could have it: ModelDock must switch telemetry off whatever the environment says.
  env.ORT_DISABLE_TELEMETRY = '0';
  // onnxruntime's SDK records nothing when it sees a CI system (CI=true, GITHUB_ACTIONS, …): without these
  // the control below would fail in CI, and the checks after it could not fail there.
  for (const name of ciVariables) delete env[name];
  return { dir, env };
}

/** The variables by which onnxruntime's telemetry SDK recognises a CI system (seen in its binary and by trying). */
const ciVariables = [
  'CI',
  'BUILDKITE',
  'CIRCLECI',
  'CODEBUILD_BUILD_ID',
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'JENKINS_URL',
  'TEAMCITY_VERSION',
  'TF_BUILD',
  'TRAVIS',
];

/** Every file the telemetry SDK could have left in the sandbox (home, cache dir, temp dir). */
function telemetryTraces(dir: string): string[] {
  const found: string[] = [];
  for (const sub of ['home', 'cache', 'tmp']) {
    for (const entry of readdirSync(path.join(dir, sub), { recursive: true, withFileTypes: true })) {
      const file = path.relative(dir, path.join(entry.parentPath, entry.name));
      if (/Microsoft|onnxruntime|mat-debug-\d+\.log|^tmp\/\.ses$/.test(file)) found.push(file);
    }
  }
  return found.sort();
}

function run(box: Sandbox, args: string[]): void {
  const result = spawnSync(process.execPath, args, { cwd: root, env: box.env, encoding: 'utf8' });
  expect(result.status, `${args.join(' ')}\n${result.stderr}`).toBe(0);
}

const model = 'assets/models/lead_scoring.onnx';

test('control: onnxruntime on its own records telemetry where the check looks', { timeout: 60_000 }, () => {
  const box = sandbox();
  run(box, [
    '-e',
    `require('onnxruntime-node').InferenceSession.create(${JSON.stringify(model)}).then((s) => s.release())`,
  ]);
  const traces = telemetryTraces(box.dir);
  expect(traces).toContain('cache/Microsoft/DeveloperTools/.onnxruntime/onnxruntime.db');
  expect(traces.some((file) => /^tmp\/mat-debug-\d+\.log$/.test(file))).toBe(true);
});

test('a CLI predict and a batch run (worker threads) leave no telemetry', { timeout: 120_000 }, () => {
  const box = sandbox();
  run(box, [
    'bin/modeldock.mjs',
    'predict',
    model,
    '--input',
    '{"lead_source":"events","number_of_courses_viewed":1,"annual_income":5000}',
  ]);
  run(box, [
    'bin/modeldock.mjs',
    'score',
    model,
    'assets/data/course_lead_scoring.csv',
    '--out',
    path.join(box.dir, 'out', 'scored.csv'),
    '--fill',
    'lead_source=NA',
    '--fill',
    'annual_income=0',
  ]);
  expect(telemetryTraces(box.dir)).toEqual([]);
});

test('the exported service’s model module switches telemetry off before onnxruntime loads', {
  timeout: 60_000,
}, () => {
  const box = sandbox();
  // model.js is what loads onnxruntime in the service; importing it is how `node server/main.js` starts.
  run(box, [
    '--input-type=module',
    '-e',
    `const { LoadedModel } = await import(${JSON.stringify(path.join(root, 'assets/bundle/server/model.js'))});
     const ort = (await import('onnxruntime-node')).default;
     const session = await ort.InferenceSession.create(${JSON.stringify(path.join(root, model))});
     await session.release(); void LoadedModel;`,
  ]);
  expect(telemetryTraces(box.dir)).toEqual([]);
});

test('browser mode opening a model leaves no telemetry', { timeout: 60_000 }, async () => {
  const box = sandbox();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'main/web/start.ts', model, '--json', '--data-dir', path.join(box.dir, 'out', 'web')],
    { cwd: root, env: box.env },
  );
  // The host prints its JSON line after the model is open (its onnxruntime session exists).
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (out.includes('\n')) resolve(out);
    });
    child.on('exit', (code) => reject(new Error(`browser mode exited with ${code}`)));
  });
  expect(JSON.parse(line).modelId).toEqual(expect.any(String));
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  await exited;
  expect(telemetryTraces(box.dir)).toEqual([]);
});

test('every module that loads onnxruntime or starts a worker, and every entry point, turns telemetry off first', () => {
  const sources = readdirSync(path.join(root, 'main'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => path.join('main', file));
  const loadsRuntime = /^import (?!type )[^;]*from 'onnxruntime-node';/m;
  const entryPoints = [
    'main/cli/index.ts',
    'main/web/start.ts',
    'main/electron/main.ts',
    'main/scoring/score-worker.ts',
  ];
  const mustSwitchOff = sources.filter((file) => {
    const text = readFileSync(path.join(root, file), 'utf8');
    return (
      loadsRuntime.test(text) || /new Worker\((?!hashWorkerSource)/.test(text) || entryPoints.includes(file)
    );
  });
  expect(mustSwitchOff).toEqual(expect.arrayContaining(entryPoints));
  for (const file of mustSwitchOff) {
    const firstImport = /^import [^;]*;/m.exec(readFileSync(path.join(root, file), 'utf8'))?.[0];
    expect(firstImport, file).toMatch(/^import '(\.\.\/)+no-telemetry\.ts';$/);
  }
});
