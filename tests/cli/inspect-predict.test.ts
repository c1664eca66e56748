// `modeldock inspect` and `modeldock predict`, run as a user would: node bin/modeldock.mjs.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { modelRow, payloadReferenceOf } from '../helpers/models-table.ts';

const root = path.resolve(import.meta.dirname, '../..');
const sample = 'assets/models/lead_scoring.onnx';
const fixtures = 'tests/fixtures/onnx';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-cli-'));
const guide = '{"lead_source": "organic", "number_of_courses_viewed": 5, "annual_income": 75000}';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function modeldock(...args: string[]): Promise<Run> {
  return modeldockWithStdin(undefined, ...args);
}

function modeldockWithStdin(stdin: string | undefined, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['bin/modeldock.mjs', ...args],
      { cwd: root, env: { ...process.env, MODELDOCK_DATA_DIR: dataDir }, timeout: 110_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? '');
  });
}

// Each run starts Node and onnxruntime; on a busy 2-core machine that can take seconds.
const slow = { timeout: 120_000 };

describe.concurrent('modeldock inspect', slow, () => {
  test('--json prints format, checksums, inputs with categories, outputs with roles, task and metadata', async () => {
    const run = await modeldock('inspect', sample, '--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json).toMatchObject({
      format: 'onnx',
      sizeBytes: readFileSync(path.join(root, sample)).length,
      task: 'binary-classification',
      inputs: [
        {
          name: 'lead_source',
          type: 'string',
          shape: ['N', 1],
          categories: expect.arrayContaining(['paid_ads', 'NA']),
        },
        { name: 'number_of_courses_viewed', type: 'int64', shape: ['N', 1] },
        { name: 'annual_income', type: 'float', shape: ['N', 1] },
      ],
      outputs: [
        { name: 'output_label', type: 'int64', shape: ['N'], role: 'label' },
        { name: 'output_probability', type: 'float', shape: ['N', 2], role: 'probabilities' },
      ],
      metadata: { irVersion: 8, producerName: 'modeldock-sample-model' },
    });
    expect(json.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(json.md5).toMatch(/^[0-9a-f]{32}$/);
    expect(run.stderr).toBe('');
  });

  test('human output has tables of inputs and outputs', async () => {
    const run = await modeldock('inspect', `${fixtures}/zipmap_multiclass_str.onnx`);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(
      'Task      multiclass classification (classes setosa, versicolor, virginica)',
    );
    expect(run.stdout).toMatch(
      /measurements\s+float\s+\[N, 4\]\s+sepal_length, sepal_width, petal_length, petal_width/,
    );
    expect(run.stdout).toMatch(/output_probability\s+float\s+\[N, 3\]\s+probabilities/);
  });

  test('exit 3 for a file that is not a model, with one sentence on stderr and {error} with --json', async () => {
    const run = await modeldock('inspect', `${fixtures}/text_renamed.onnx`, '--json');
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout)).toEqual({
      error: {
        code: 'unsupported-format',
        message:
          'text_renamed.onnx is not a model file ModelDock can read (ONNX, a scikit-learn pickle or joblib file, or an XGBoost model file): it looks like a text file.',
        details: expect.anything(),
      },
    });
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('exit 3 for a missing file, a truncated file, a refused map input, and a checksum mismatch', async () => {
    const runs = await Promise.all([
      modeldock('inspect', 'no/such/model.onnx'),
      modeldock('inspect', `${fixtures}/truncated.onnx`),
      modeldock('inspect', `${fixtures}/map_input.onnx`),
      modeldock('inspect', sample, '--expect', '0'.repeat(32)),
    ]);
    expect(runs.map((run) => run.code)).toEqual([3, 3, 3, 3]);
    expect(runs[0]!.stderr).toContain('There is no file at');
    expect(runs[1]!.stderr).toContain('truncated.onnx ends early');
    expect(runs[2]!.stderr).toContain('it is a map(string → float), not a tensor');
    expect(runs[3]!.stderr).toMatch(/does not have the expected MD5 0{32} \(it is [0-9a-f]{32}\)\./);
  });

  test('exit 2 for usage errors', async () => {
    const runs = await Promise.all([
      modeldock('inspect'),
      modeldock('inspect', sample, '--colour'),
      modeldock(),
    ]);
    expect(runs.map((run) => run.code)).toEqual([2, 2, 2]);
    expect(runs[0]!.stderr).toContain('Usage: modeldock inspect <model>');
  });
});

describe.concurrent('modeldock predict', slow, () => {
  test('the guide payload prints a probability strictly between 0 and 1 and warns about "organic"', async () => {
    const run = await modeldock('predict', sample, '--input', guide, '--json');
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(Object.keys(json).sort()).toEqual([
      'label',
      'latencyMs',
      'probabilities',
      'probability',
      'warnings',
    ]);
    expect(json.probability).toBeGreaterThan(0);
    expect(json.probability).toBeLessThan(1);
    expect(json.probabilities['1']).toBe(json.probability);
    expect(json.warnings).toEqual([
      expect.objectContaining({ code: 'unknown-category', field: 'lead_source' }),
    ]);
    expect(json.warnings[0].message).toContain('"organic" is not a category the model knows');
  });

  test('a ZipMap fixture prints its class probabilities (as numpy computed them)', async () => {
    const row = modelRow(`${fixtures}/zipmap_multiclass_str.onnx`);
    const expected = { ...payloadReferenceOf(row), classLabels: row.classLabels! };
    const run = await modeldock(
      'predict',
      `${fixtures}/zipmap_multiclass_str.onnx`,
      '--input',
      JSON.stringify(expected.rows[1]),
      '--json',
    );
    expect(run.code).toBe(0);
    const json = JSON.parse(run.stdout);
    expect(json.label).toBe(expected.labels![1]);
    expected.classLabels.forEach((label, c) => {
      expect(Math.abs(json.probabilities[label] - expected.probabilities![1]![c]!)).toBeLessThan(1e-6);
    });
  });

  test('--input-file with instances; human output shows label and probability', async () => {
    const file = path.join(dataDir, 'payload.json');
    writeFileSync(
      file,
      JSON.stringify({ instances: [JSON.parse(guide), { ...JSON.parse(guide), lead_source: 'events' }] }),
    );
    const [json, human] = await Promise.all([
      modeldock('predict', sample, '--input-file', file, '--json'),
      modeldock('predict', sample, '--input', guide),
    ]);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).predictions).toHaveLength(2);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^label\s+1$/m);
    expect(human.stdout).toMatch(/^probability\s+0\.\d+$/m);
    // Warnings are diagnostics: on standard error, so stdout stays the result alone.
    expect(human.stderr).toContain(
      'modeldock: warning: lead_source: "organic" is not a category the model knows',
    );
    expect(human.stdout).not.toContain('warning');
  });

  test('--input-file - reads the payload from standard input', async () => {
    const run = await modeldockWithStdin(guide, 'predict', sample, '--input-file', '-', '--json');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).label).toBe(1);
  });

  test('extra fields are ignored with a warning (in JSON and on stderr), exit 0', async () => {
    const run = await modeldock(
      'predict',
      sample,
      '--input',
      '{"lead_source": "events", "number_of_courses_viewed": 1, "annual_income": 1, "industry": "retail"}',
      '--json',
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).warnings).toEqual([
      {
        code: 'ignored-field',
        field: 'industry',
        message: 'industry: not an input of this model; ignored.',
      },
    ]);
    expect(run.stderr).toBe('modeldock: warning: industry: not an input of this model; ignored.\n');
  });

  test('exit 4 for invalid payloads: not an object, extra fields with --strict-fields, bad JSON, unreadable file', async () => {
    const runs = await Promise.all([
      modeldock('predict', sample, '--input', '[1, 2]', '--json'),
      modeldock(
        'predict',
        sample,
        '--strict-fields',
        '--input',
        '{"lead_source": "events", "number_of_courses_viewed": 1, "annual_income": 1, "x": 1}',
      ),
      modeldock('predict', sample, '--input', '{lead_source: events}'),
      modeldock('predict', sample, '--input-file', path.join(dataDir, 'missing.json')),
    ]);
    expect(runs.map((run) => run.code)).toEqual([4, 4, 4, 4]);
    expect(JSON.parse(runs[0]!.stdout).error).toMatchObject({ code: 'invalid-payload' });
    expect(runs[0]!.stderr).toContain('the payload must be a JSON object keyed by input name');
    expect(runs[1]!.stderr).toContain('x: is not an input of this model');
    expect(runs[2]!.stderr).toContain('The payload in --input is not valid JSON');
    expect(runs[3]!.stderr).toContain('there is no such file');
  });

  test('exit 2 without a payload or with two; exit 3 when the model is unusable', async () => {
    const runs = await Promise.all([
      modeldock('predict', sample),
      modeldock('predict', sample, '--input', guide, '--input-file', 'x.json'),
      modeldock('predict', `${fixtures}/empty.onnx`, '--input', guide),
    ]);
    expect(runs.map((run) => run.code)).toEqual([2, 2, 3]);
    expect(runs[2]!.stderr).toBe('modeldock: empty.onnx is empty (0 bytes).\n');
  });
});

test('npx modeldock --help works in the checkout', slow, async () => {
  const run = await new Promise<Run>((resolve) => {
    execFile(
      'npx',
      ['--no-install', 'modeldock', '--help'],
      { cwd: root, timeout: 110_000 },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/inspect\s+show a model file/);
  expect(run.stdout).toMatch(/predict\s+score a JSON payload/);
});
