import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runCliCaptured } from './../helpers/run-cli.ts';
import { fixtureDir } from './parity-helpers.ts';

const previousDataDir = process.env.MODELDOCK_DATA_DIR;
let work: string;

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'modeldock-cli-convert-'));
  process.env.MODELDOCK_DATA_DIR = path.join(work, 'data');
});

afterAll(() => {
  if (previousDataDir === undefined) delete process.env.MODELDOCK_DATA_DIR;
  else process.env.MODELDOCK_DATA_DIR = previousDataDir;
});

function cli(...argv: string[]) {
  return runCliCaptured(argv);
}

describe('modeldock convert', () => {
  test('writes a runnable ONNX model and names the steps and the source checksums', async () => {
    const out = path.join(work, 'guide.onnx');
    const { code, stdout } = await cli('convert', path.join(fixtureDir, 'pipeline_v1.bin'), '--out', out);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^Converted from scikit-learn \d+\.\d+\.\d+: DictVectorizer → LogisticRegression/);
    expect(stdout).toMatch(/SHA-256 {2}[0-9a-f]{64}/);
    const session = await ort.InferenceSession.create(out);
    expect([...session.inputNames].sort()).toEqual([
      'annual_income',
      'lead_source',
      'number_of_courses_viewed',
    ]);
    expect([...session.outputNames]).toEqual(['label', 'probabilities']);
    await session.release();
    expect(readdirSync(work).filter((name) => name.endsWith('.tmp') || name.includes('.partial'))).toEqual(
      [],
    );
  });

  test('refuses to overwrite without --force, replaces with it', async () => {
    const out = path.join(work, 'existing.onnx');
    writeFileSync(out, 'keep me');
    const refused = await cli('convert', path.join(fixtureDir, 'pipeline_v1.bin'), '--out', out, '--json');
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).error.code).toBe('output-exists');
    expect(refused.stderr).toContain('--force');
    expect(readFileSync(out, 'utf8')).toBe('keep me');
    const forced = await cli(
      'convert',
      path.join(fixtureDir, 'pipeline_v1.bin'),
      '--out',
      out,
      '--force',
      '--json',
    );
    expect(forced.code).toBe(0);
    const result = JSON.parse(forced.stdout);
    expect(result.steps).toEqual(['DictVectorizer', 'LogisticRegression']);
    expect(result.source.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(result.inputs).toContainEqual({ name: 'lead_source', type: 'text' });
    expect(readFileSync(out).length).toBe(result.sizeBytes);
  });

  test('will not write over the pickle itself', async () => {
    const copy = path.join(work, 'model.pkl');
    copyFileSync(path.join(fixtureDir, 'guide_pipeline.pickle4.pkl'), copy);
    const before = readFileSync(copy);
    const { code, stdout } = await cli('convert', copy, '--out', copy, '--force', '--json');
    expect(code).toBe(2);
    expect(JSON.parse(stdout).error.code).toBe('output-is-input');
    expect(readFileSync(copy).equals(before)).toBe(true);
  });

  test('an unsupported model exits 3 with the class named', async () => {
    const out = path.join(work, 'svc.onnx');
    const { code, stderr } = await cli('convert', path.join(fixtureDir, 'unsupported_svc.pkl'), '--out', out);
    expect(code).toBe(3);
    expect(stderr).toContain('sklearn.svm._classes.SVC');
    expect(existsSync(out)).toBe(false);
  });

  test('an ONNX model is named as such, not as a damaged pickle', async () => {
    const out = path.join(work, 'again.onnx');
    const { code, stdout, stderr } = await cli(
      'convert',
      path.join(fixtureDir, '..', '..', '..', 'assets', 'models', 'lead_scoring.onnx'),
      '--out',
      out,
      '--json',
    );
    expect(code).toBe(3);
    expect(JSON.parse(stdout).error.code).toBe('unsupported-format');
    expect(stderr).toContain('lead_scoring.onnx is already an ONNX model; there is nothing to convert');
    expect(stderr).not.toContain('damaged');
    expect(existsSync(out)).toBe(false);
  });

  test('a text file is not called a damaged pickle', async () => {
    const text = path.join(work, 'notes.pkl');
    writeFileSync(text, 'lead_source,annual_income\n');
    const { code, stderr } = await cli('convert', text, '--out', path.join(work, 'notes.onnx'));
    expect(code).toBe(3);
    expect(stderr).toContain('is not a scikit-learn pickle or joblib file: it looks like a text file');
  });

  test('usage errors exit 2', async () => {
    expect((await cli('convert', path.join(fixtureDir, 'pipeline_v1.bin'))).code).toBe(2);
    expect((await cli('convert', '--out', path.join(work, 'x.onnx'))).code).toBe(2);
  });

  test('a missing source exits 3', async () => {
    const { code, stderr } = await cli(
      'convert',
      path.join(work, 'nope.pkl'),
      '--out',
      path.join(work, 'nope.onnx'),
    );
    expect(code).toBe(3);
    expect(stderr).toContain('does not exist');
  });
});
