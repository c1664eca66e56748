// The bundle's batch scorer (server/score.js) as the Kubernetes Indexed Job runs it: three processes,
// each with JOB_COMPLETION_INDEX / JOB_COMPLETION_COUNT, then --combine; the combined files must be
// byte for byte what `modeldock score` writes for the same file and settings, and _SUCCESS must count
// and hash what is there. The reference run is the CLI's own entry (runCli), independent of score.js.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Job } from 'kubernetes-models/batch/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { writeLeadCsv } from '../../scripts/generate-leads.ts';
import { cli, linkDependencies, sampleModel, tempDir } from './helpers.ts';

const execFileAsync = promisify(execFile);
let models: ModelService;
let bundle: string;
let work: string;
let input: string;

/**
 * A generated lead file with what a real export has: quoted fields holding the delimiter, escaped
 * quotes and line breaks (so file lines and records differ, and a naive cut would split a record),
 * empty cells (rows that fail: the sample model's inputs have no fill) and a number that is no number.
 */
async function leadFile(file: string, rows: number): Promise<void> {
  await writeLeadCsv(file, rows, 11);
  const [header, ...lines] = (await readFile(file, 'utf8')).trimEnd().split('\n');
  const edited = lines.map((line, k) => {
    const cells = line.split(',');
    if (k % 7 === 0) cells[1] = `"fin,ance ""group""\nline two"`;
    if (k % 11 === 0) cells[0] = '';
    if (k % 13 === 0) cells[3] = 'lots';
    if (k % 17 === 0) cells[5] = `"a\nb\nc"`;
    return cells.join(',');
  });
  await writeFile(file, `${header}\n${edited.join('\n')}\n`);
}

beforeAll(async () => {
  const dataDir = await tempDir('batch-data');
  process.env.MODELDOCK_DATA_DIR = dataDir;
  models = new ModelService({ dataDir });
  const info = await models.open(sampleModel);
  work = await tempDir('batch-job');
  bundle = (
    await exportBundle(models, info.modelId, {
      outDir: path.join(work, 'lead'),
      name: 'lead-scoring',
      version: 'v1',
    })
  ).path;
  await linkDependencies(bundle);
  input = path.join(work, 'leads.csv');
  await leadFile(input, 3000);
}, 240_000);

afterAll(async () => {
  await models?.closeAll();
});

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function score(args: string[], env: Record<string, string> = {}) {
  return execFileAsync(process.execPath, ['server/score.js', ...args], {
    cwd: bundle,
    env: { ...process.env, ORT_DISABLE_TELEMETRY: '1', ...env },
  });
}

describe('batch scoring in shards (server/score.js, k8s/batch-job.yaml)', () => {
  it('three shards and --combine give exactly the output and errors of one `modeldock score` run', async () => {
    const reference = path.join(work, 'reference.csv');
    const run = await cli(['score', sampleModel, input, '--out', reference]);
    expect(run.code, run.stderr).toBe(0);
    const out = path.join(work, 'shards');
    const count = 3;
    await Promise.all(
      Array.from({ length: count }, (_, index) =>
        score([input, out], { JOB_COMPLETION_INDEX: String(index), JOB_COMPLETION_COUNT: String(count) }),
      ),
    );
    await score(['--combine', out]);

    const [expected, actual] = await Promise.all([
      readFile(reference),
      readFile(path.join(out, 'scored.csv')),
    ]);
    expect(actual.equals(expected)).toBe(true);
    const [expectedErrors, actualErrors] = await Promise.all([
      readFile(path.join(work, 'reference.errors.csv')),
      readFile(path.join(out, 'scored.errors.csv')),
    ]);
    expect(actualErrors.equals(expectedErrors)).toBe(true);

    const manifest = JSON.parse(await readFile(path.join(out, '_SUCCESS'), 'utf8'));
    expect(manifest.sha256).toBe(sha256(expected));
    expect(manifest.errors.sha256).toBe(sha256(expectedErrors));
    expect(manifest.rows).toBe(3000);
    // Failed rows: one errors line per failing cell, so count distinct file lines in the reference.
    const failedLines = new Set(
      expectedErrors
        .toString('utf8')
        .trimEnd()
        .split('\n')
        .slice(1)
        .map((line) => line.split(',')[0]),
    );
    expect(manifest.failed).toBe(failedLines.size);
    expect(manifest.scored + manifest.failed).toBe(3000);
    expect(manifest.parts.map((part: { index: number }) => part.index)).toEqual([0, 1, 2]);
    let rows = 0;
    for (const part of manifest.parts) {
      const bytes = await readFile(path.join(out, part.file));
      expect(part.sha256).toBe(sha256(bytes));
      expect(part.rows).toBeGreaterThan(0); // every shard had work: the cuts spread the file
      rows += part.rows;
    }
    expect(rows).toBe(3000);
    // The shards' byte ranges tile the file.
    const size = (await readFile(input)).length;
    expect(manifest.parts[0].start).toBe(0);
    expect(manifest.parts[1].start).toBe(manifest.parts[0].end);
    expect(manifest.parts[2].start).toBe(manifest.parts[1].end);
    expect(manifest.parts[2].end).toBe(size);
  }, 240_000);

  it.each([
    ['CRLF lines, then LF lines', 'mixed'],
    ['more shards than rows', 'tiny'],
  ])(
    'combines to the `modeldock score` output with %s',
    async (_name, kind) => {
      const file = path.join(work, `${kind}.csv`);
      await writeLeadCsv(file, kind === 'mixed' ? 400 : 2, 5);
      const text = (await readFile(file, 'utf8')).trimEnd().split('\n');
      const body =
        kind === 'mixed'
          ? `${text.slice(0, 200).join('\r\n')}\r\n${text.slice(200).join('\n')}\n`
          : `${text.join('\n')}\n`;
      await writeFile(file, body);
      const reference = path.join(work, `${kind}-reference.csv`);
      const run = await cli(['score', sampleModel, file, '--out', reference]);
      expect(run.code, run.stderr).toBe(0);
      const out = path.join(work, `${kind}-shards`);
      const count = 5;
      for (let index = 0; index < count; index++)
        await score([file, out], {
          JOB_COMPLETION_INDEX: String(index),
          JOB_COMPLETION_COUNT: String(count),
        });
      await score(['--combine', out]);
      const [expected, actual] = await Promise.all([
        readFile(reference),
        readFile(path.join(out, 'scored.csv')),
      ]);
      expect(actual.equals(expected)).toBe(true);
      const manifest = JSON.parse(await readFile(path.join(out, '_SUCCESS'), 'utf8'));
      expect(manifest.parts.length).toBe(count);
      // The shards' byte ranges tile the file, whatever cuts were found (no cut where the line breaks
      // before it are mixed: that shard runs to the end and the later ones are empty).
      let next = 0;
      for (const part of manifest.parts) {
        expect(part.start).toBe(next);
        next = part.end;
      }
      expect(next).toBe(Buffer.byteLength(body));
      expect(manifest.parts.reduce((sum: number, part: { rows: number }) => sum + part.rows, 0)).toBe(
        manifest.rows,
      );
    },
    240_000,
  );

  it('refuses to combine when a shard is missing', async () => {
    const out = path.join(work, 'missing');
    await score([input, out], { JOB_COMPLETION_INDEX: '1', JOB_COMPLETION_COUNT: '2' });
    await expect(score(['--combine', out])).rejects.toThrow(/run the missing shards again/);
    // Shard 0 of another file in the same folder (a stale part of an earlier run): refused too.
    const other = path.join(work, 'other.csv');
    await writeLeadCsv(other, 50, 3);
    await score([other, out], { JOB_COMPLETION_INDEX: '0', JOB_COMPLETION_COUNT: '2' });
    await expect(score(['--combine', out])).rejects.toThrow(/scored from different files/);
  }, 120_000);

  it('k8s/batch-job.yaml is a valid Indexed Job running score.js over a shared volume', async () => {
    const text = await readFile(path.join(bundle, 'k8s', 'batch-job.yaml'), 'utf8');
    const documents = text
      .split(/^---$/m)
      .map((part) => parseYaml(part))
      .filter(Boolean);
    const jobs = documents.filter((document) => document.kind === 'Job');
    expect(jobs.length).toBe(2);
    for (const document of jobs) new Job(document).validate();
    const [shards, combine] = jobs;
    expect(shards.spec.completionMode).toBe('Indexed');
    expect(shards.spec.completions).toBeGreaterThan(1);
    expect(shards.spec.parallelism).toBeGreaterThan(0);
    const container = shards.spec.template.spec.containers[0];
    expect(container.command.slice(0, 2)).toEqual(['node', 'server/score.js']);
    expect(container.volumeMounts.length).toBeGreaterThan(0);
    const combineContainer = combine.spec.template.spec.containers[0];
    expect(combineContainer.command.slice(0, 3)).toEqual(['node', 'server/score.js', '--combine']);
  });
});
