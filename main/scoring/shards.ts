import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type EngineResult, runEngine } from './engine.ts';
import { errorsHeader } from './file-targets.ts';
import { inspectCsv } from './inspection.ts';
import { defaultBatchSize, engineJobFor, type JobSetup } from './job.ts';
import { errorsPathFor } from './output-paths.ts';
import { findSplit } from './parallel-split.ts';
import {
  type BatchPredictor,
  defaultReadLimits,
  type EnginePart,
  type MappingEntry,
  type ModelShape,
} from './types.ts';

/**
 * A file scored in shards by separate processes (the exported bundle's `server/score.js`, run by a
 * Kubernetes Indexed Job): shard i of n reads the byte range between the first record boundaries at or
 * after i/n and (i+1)/n of the file, as found by parallel-split.ts (the cut the app's two workers use),
 * and writes part-<i>.csv (the header only in part 0: the parts are consecutive pieces of one output),
 * part-<i>.errors.csv when rows failed, and part-<i>.json with its counts. `combineShards` joins them in
 * index order into exactly the files one run over the whole file writes (`modeldock score`).
 */

export const combinedOutput = 'scored.csv';
export const successManifest = '_SUCCESS';

export interface ShardCounts {
  index: number;
  count: number;
  /** The file the shard read: --combine refuses parts of different files (a stale part of an earlier run). */
  input: { name: string; size: number; mtimeMs: number };
  /** The shard's byte range of the input and the file line it starts on. */
  start: number;
  end: number;
  firstLine: number;
  rows: number;
  scored: number;
  failed: number;
}

export const partName = (index: number) => `part-${index}.csv`;
const countsName = (index: number) => `part-${index}.json`;

/** JOB_COMPLETION_INDEX and JOB_COMPLETION_COUNT, checked. */
export function shardFromEnv(env: NodeJS.ProcessEnv): { index: number; count: number } {
  const index = Number(env.JOB_COMPLETION_INDEX ?? '0');
  const count = Number(env.JOB_COMPLETION_COUNT ?? '1');
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`JOB_COMPLETION_COUNT must be a whole number ≥ 1 (got ${env.JOB_COMPLETION_COUNT}).`);
  if (!Number.isInteger(index) || index < 0 || index >= count)
    throw new Error(
      `JOB_COMPLETION_INDEX must be a whole number from 0 to ${count - 1} (got ${env.JOB_COMPLETION_INDEX}).`,
    );
  return { index, count };
}

interface Cut {
  at: number;
  line: number;
}

/**
 * The record boundary shard k starts at: the first one at or after k/n of the file. No safe boundary
 * there (a file parallel-split.ts won't cut, or no line break left) gives the end of the file: the
 * shards before take the rest, the later ones are empty. Every shard computes the same cuts.
 */
async function cutAt(
  k: number,
  count: number,
  inputPath: string,
  size: number,
  dialect: Parameters<typeof findSplit>[2],
): Promise<Cut> {
  if (k === 0) return { at: 0, line: 1 };
  if (k >= count) return { at: size, line: 0 };
  const split = await findSplit(inputPath, size, dialect, Math.floor((size * k) / count));
  return split ? { at: split.at, line: split.line } : { at: size, line: 0 };
}

/** Scores shard `index` of `count` of `inputPath` into `outDir`. */
export async function scoreShard(options: {
  model: ModelShape;
  /** The predictor for the mapping the file's inspection chose (session-predictor.ts). */
  predictFor: (mapping: MappingEntry[]) => BatchPredictor;
  inputPath: string;
  outDir: string;
  index: number;
  count: number;
  setup?: JobSetup;
}): Promise<ShardCounts> {
  const { model, inputPath, outDir, index, count } = options;
  const inspection = await inspectCsv(model, { path: inputPath }, defaultReadLimits);
  const job = engineJobFor('score', model, inspection, options.setup ?? {}, {
    batchSize: defaultBatchSize,
    limits: defaultReadLimits,
    progressIntervalMs: 1000,
  });
  const { size, mtimeMs } = await stat(job.inputPath);
  const from = await cutAt(index, count, job.inputPath, size, job.dialect);
  // A later cut never comes before an earlier one (an empty shard then).
  const toCut = await cutAt(index + 1, count, job.inputPath, size, job.dialect);
  const to = Math.max(from.at, toCut.at);
  await mkdir(outDir, { recursive: true });
  const outputPath = path.join(outDir, partName(index));
  const errorsPath = errorsPathFor(outputPath);
  const temp = `${outputPath}.partial`;
  const errorsTemp = `${errorsPath}.partial`;
  await Promise.all([outputPath, errorsPath, temp, errorsTemp].map((file) => rm(file, { force: true })));
  const counts: ShardCounts = {
    index,
    count,
    input: { name: path.basename(job.inputPath), size, mtimeMs },
    start: from.at,
    end: to,
    firstLine: from.line,
    rows: 0,
    scored: 0,
    failed: 0,
  };
  await writeFile(temp, '', { flag: 'wx' });
  if (to > from.at) {
    const part: EnginePart = {
      start: from.at,
      end: to,
      firstLine: from.line,
      file: { size, mtimeMs },
      // Part 0 reads the header line itself; a later part is told the columns and writes no header.
      ...(index > 0 ? { columns: inspection.columns } : {}),
    };
    let result: EngineResult;
    try {
      result = await runEngine(
        { ...job, outputTempPath: temp, errorsTempPath: errorsTemp, part },
        { predict: options.predictFor(job.mapping) },
      );
    } catch (error) {
      await Promise.all([temp, errorsTemp].map((file) => rm(file, { force: true })));
      throw error;
    }
    counts.rows = result.rows;
    counts.scored = result.scored;
    counts.failed = result.failed;
  }
  if (counts.failed > 0) await rename(errorsTemp, errorsPath);
  await rename(temp, outputPath);
  await writeFile(path.join(outDir, countsName(index)), `${JSON.stringify(counts, null, 2)}\n`);
  return counts;
}

export interface SuccessManifest {
  output: string;
  rows: number;
  scored: number;
  failed: number;
  sha256: string;
  errors?: { file: string; sha256: string };
  parts: Array<ShardCounts & { file: string; sha256: string }>;
}

/**
 * Joins every shard's part in index order into scored.csv (and scored.errors.csv when rows failed,
 * with the errors header once), then writes _SUCCESS: each part's counts and SHA-256, the totals and
 * the SHA-256 of the combined files. Refuses when a shard is missing or the shards disagree on n.
 */
export async function combineShards(outDir: string): Promise<SuccessManifest> {
  const names = (await readdir(outDir)).filter((name) => /^part-\d+\.json$/.test(name));
  if (names.length === 0) throw new Error(`${outDir} holds no part-<index>.json: run the shards first.`);
  const shards = await Promise.all(
    names.map(async (name) => JSON.parse(await readFile(path.join(outDir, name), 'utf8')) as ShardCounts),
  );
  shards.sort((a, b) => a.index - b.index);
  const count = shards[0]?.count ?? 0;
  const missing = Array.from({ length: count }, (_, k) => k).filter((k) => shards[k]?.index !== k);
  if (shards.length !== count || missing.length > 0 || shards.some((shard) => shard.count !== count))
    throw new Error(
      `${outDir} does not hold the ${count} shards of one run (missing: ${missing.join(', ') || 'none'}; found ${shards.length}); run the missing shards again.`,
    );
  const inputs = new Set(shards.map((shard) => JSON.stringify(shard.input)));
  if (inputs.size > 1)
    throw new Error(
      `The parts in ${outDir} were scored from different files (or the file changed between shards): ${[...inputs].join(', ')}. Empty the folder and run every shard again.`,
    );
  const output = path.join(outDir, combinedOutput);
  const errors = errorsPathFor(output);
  await Promise.all(
    [output, errors, successManifest].map((file) => rm(path.resolve(outDir, file), { force: true })),
  );
  const parts: SuccessManifest['parts'] = [];
  for (const shard of shards) {
    const file = partName(shard.index);
    await append(output, path.join(outDir, file));
    parts.push({ ...shard, file, sha256: await sha256(path.join(outDir, file)) });
  }
  const failed = shards.reduce((sum, shard) => sum + shard.failed, 0);
  let errorsEntry: SuccessManifest['errors'];
  if (failed > 0) {
    // Part 0's errors file has the header when part 0 had errors; a later part's never does.
    if (shards[0]?.failed === 0) await writeFile(errors, errorsHeader);
    for (const shard of shards) {
      if (shard.failed > 0) await append(errors, path.join(outDir, errorsPathFor(partName(shard.index))));
    }
    errorsEntry = { file: path.basename(errors), sha256: await sha256(errors) };
  }
  const rows = shards.reduce((sum, shard) => sum + shard.rows, 0);
  // As `modeldock score`: a file with a header and no rows is an error, not an empty output.
  if (rows === 0) throw new Error('The input has a header but no data rows; nothing was combined.');
  const manifest: SuccessManifest = {
    output: combinedOutput,
    rows,
    scored: shards.reduce((sum, shard) => sum + shard.scored, 0),
    failed,
    sha256: await sha256(output),
    ...(errorsEntry ? { errors: errorsEntry } : {}),
    parts,
  };
  await writeFile(path.join(outDir, successManifest), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

async function append(target: string, source: string): Promise<void> {
  await pipeline(createReadStream(source), createWriteStream(target, { flags: 'a' }));
}

async function sha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}
