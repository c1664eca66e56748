/**
 * npm run bench:library — the library's speed targets:
 *   1. a library of 200 models lists in ≤ 100 ms (cold: a new process reading library.json; warm; with a search);
 *   2. comparing two models on 1M rows takes ≤ 2× scoring them once.
 * "Scoring once" is the batch engine's pass (one reader, workers, one session per batch) with one model and no
 * output file, so the ratio measures what comparing adds. When the batch engine's `modeldock score` is present, its time on the same
 * file is printed too, for context.
 *
 *   npx tsx bench/library.ts [--rows 1000000]
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { LibraryService } from '../main/library/library-service.ts';
import { ModelService } from '../main/models/model-service.ts';
import { ScoringService } from '../main/scoring/scoring-service.ts';
import { writeLeadCsv } from '../scripts/generate-leads.ts';

const repo = path.resolve(import.meta.dirname, '..');
const sampleModel = path.join(repo, 'assets/models/lead_scoring.onnx');
const v2Model = path.join(repo, 'tests/fixtures/library/lead_scoring_v2.onnx');
const fill = { lead_source: 'NA', number_of_courses_viewed: 0, annual_income: 0 };
const missing = Object.fromEntries(
  Object.entries(fill).map(([input, value]) => [input, { mode: 'fill' as const, value: String(value) }]),
);
/** The library alone is timed here; reference profiles are never built. */
const noProfiles = async (): Promise<never> => {
  throw new Error('bench: no reference profiles');
};

function argument(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function benchList(work: string): Promise<void> {
  const dataDir = path.join(work, 'library-200');
  const models = new ModelService({ dataDir });
  const library = new LibraryService({ dataDir, models, profileCsv: noProfiles });
  const template = await models.open(sampleModel);
  const sourceDir = path.join(work, 'sources');
  await fs.mkdir(sourceDir, { recursive: true });
  // 200 distinct files (the sample model plus a unique tail), kept as 10 names × 20 versions.
  for (let i = 0; i < 200; i++) {
    const file = path.join(sourceDir, `model_${i % 10}.onnx`);
    const bytes = Buffer.concat([await fs.readFile(sampleModel), randomBytes(16)]);
    await fs.writeFile(file, bytes);
    const { createHash } = await import('node:crypto');
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const md5 = createHash('md5').update(bytes).digest('hex');
    await library.addFromOpen({
      ...template,
      file: { path: file, fileName: path.basename(file), sizeBytes: bytes.length, sha256, md5 },
    });
  }
  await models.closeAll();
  const storeBytes = (await fs.stat(library.storeFile)).size;

  const cold: number[] = [];
  const warm: number[] = [];
  const search: number[] = [];
  for (let run = 0; run < 15; run++) {
    const fresh = new LibraryService({
      dataDir,
      models: new ModelService({ dataDir }),
      profileCsv: noProfiles,
    });
    let started = performance.now();
    const { entries } = await fresh.list();
    cold.push(performance.now() - started);
    if (entries.length !== 200) throw new Error(`expected 200 entries, listed ${entries.length}`);
    started = performance.now();
    await fresh.list();
    warm.push(performance.now() - started);
    started = performance.now();
    const found = await fresh.list('model_7');
    search.push(performance.now() - started);
    if (found.entries.length !== 20) throw new Error(`search found ${found.entries.length}, expected 20`);
  }
  console.log(`library of 200 models (library.json ${(storeBytes / 1024).toFixed(0)} KB):`);
  console.log(
    `  list, cold (new process, reads + validates the store): median ${median(cold).toFixed(2)} ms, max ${Math.max(...cold).toFixed(2)} ms`,
  );
  console.log(`  list, warm: median ${median(warm).toFixed(2)} ms`);
  console.log(`  search "model_7" (20 hits): median ${median(search).toFixed(2)} ms`);
  console.log(`  target ≤ 100 ms: ${Math.max(...cold) <= 100 ? 'met' : 'MISSED'}`);
}

async function benchCompare(work: string, rows: number): Promise<void> {
  const csv = path.join(work, `leads-${rows}.csv`);
  await writeLeadCsv(csv, rows);
  const models = new ModelService({ dataDir: path.join(work, 'compare-data') });
  const scoring = new ScoringService(models);
  const a = await models.open(sampleModel);
  const b = await models.open(v2Model);
  // "Scoring once": the batch engine's pass with one model and no further output; comparing adds
  // model B's predictions and the compare figures to the same pass.
  const scoreOnce = async () =>
    (await scoring.pass({ modelId: a.modelId, path: csv, missing, numberFormat: 'plain' }, {}, {})).result
      .scored;
  await scoreOnce(); // warm the file cache

  const once: number[] = [];
  const twice: number[] = [];
  for (let run = 0; run < 3; run++) {
    let started = performance.now();
    const scored = await scoreOnce();
    once.push((performance.now() - started) / 1000);
    if (scored !== rows) throw new Error(`scored ${scored} of ${rows} rows`);
    started = performance.now();
    const result = await scoring.compare({
      modelId: a.modelId,
      modelIdB: b.modelId,
      path: csv,
      threshold: 0.5,
      missing,
      numberFormat: 'plain',
    });
    twice.push((performance.now() - started) / 1000);
    if (result.compared !== rows) throw new Error(`compared ${result.compared} of ${rows} rows`);
  }
  await models.closeAll();
  const ratio = median(twice) / median(once);
  console.log(
    `compare on ${rows.toLocaleString()} rows (${((await fs.stat(csv)).size / 1e6).toFixed(0)} MB CSV):`,
  );
  console.log(
    `  scoring once (sample model):       median ${median(once).toFixed(2)} s (${Math.round(rows / median(once)).toLocaleString()} rows/s)`,
  );
  console.log(`  comparing (sample model vs v2):    median ${median(twice).toFixed(2)} s`);
  console.log(`  ratio ${ratio.toFixed(2)}× — target ≤ 2×: ${ratio <= 2 ? 'met' : 'MISSED'}`);
  console.log(`  peak RSS ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);

  const cli = path.join(repo, 'bin/modeldock.mjs');
  const help = spawnSync(process.execPath, [cli, 'score', '--help'], { encoding: 'utf8' });
  if (help.status === 0) {
    const out = path.join(work, 'scored.csv');
    const started = performance.now();
    const run = spawnSync(
      process.execPath,
      [
        cli,
        'score',
        sampleModel,
        csv,
        '--out',
        out,
        '--force',
        '--json',
        ...Object.entries(fill).flatMap(([k, v]) => ['--fill', `${k}=${v}`]),
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const seconds = (performance.now() - started) / 1000;
    console.log(
      run.status === 0
        ? `  for context, \`modeldock score\` (batch engine, writes the output CSV, process start included): ${seconds.toFixed(2)} s`
        : `  (\`modeldock score\` exited ${run.status}; not timed)`,
    );
  }
}

const work = await fs.mkdtemp(path.join(os.tmpdir(), 'modeldock-bench-library-'));
try {
  console.log(`node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'})`);
  await benchList(work);
  await benchCompare(work, argument('rows', 1_000_000));
} finally {
  await fs.rm(work, { recursive: true, force: true });
}
