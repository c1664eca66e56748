import { createReadStream, createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import type { EngineResult, PartCheck } from './engine.ts';
import { errorsHeader, maxErrorSamples } from './file-targets.ts';
import { mergeOutputs, type OutputResults } from './outputs.ts';
import type { FileSplit } from './parallel-split.ts';
import { ReportAccumulator } from './report-accumulator.ts';
import { maxExamplesPerInput, mergeUnseen } from './row-reader.ts';
import type { EngineJob } from './types.ts';

/**
 * A file scored in parts (parallel-split.ts): the job of each part, and the parts' results and
 * files joined in file order so that everything is what one worker over the whole file gives.
 */

/** The job for each half: the first reads the header; the second gets the columns and its own temp files. */
export function splitJob(job: EngineJob, split: FileSplit, size: number, columns: string[]): EngineJob[] {
  const file = { size, mtimeMs: split.mtimeMs };
  const first: EngineJob = { ...job, part: { start: 0, end: split.at, firstLine: 1, file } };
  const second: EngineJob = {
    ...job,
    // A check run writes no files.
    outputTempPath: job.outputTempPath && `${job.outputTempPath}.2`,
    errorsTempPath: job.errorsTempPath && `${job.errorsTempPath}.2`,
    part: {
      start: split.at,
      end: size,
      firstLine: split.line,
      columns,
      file,
    },
  };
  return [first, second];
}

/** One result for the whole file from the parts' results, in file order, with the further outputs merged. */
export function mergeResults(
  job: EngineJob,
  results: EngineResult[],
): EngineResult & { merged: OutputResults } {
  const [first] = results;
  if (!first) throw new Error('no worker results');
  const merged: EngineResult = {
    rows: 0,
    scored: 0,
    failed: 0,
    failuresByReason: {},
    errorSamples: [],
    addedColumns: first.addedColumns,
    unseen: {},
    outputs: {},
    report: first.report,
  };
  let report: ReportAccumulator | undefined;
  for (const result of results) {
    merged.rows += result.rows;
    merged.scored += result.scored;
    merged.failed += result.failed;
    for (const [reason, count] of Object.entries(result.failuresByReason)) {
      merged.failuresByReason[reason] = (merged.failuresByReason[reason] ?? 0) + count;
    }
    merged.errorSamples.push(...result.errorSamples.slice(0, maxErrorSamples - merged.errorSamples.length));
    mergeUnseen(merged.unseen, result.unseen);
    if (result.reportState) {
      if (report) report.merge(result.reportState);
      else report = ReportAccumulator.fromState(result.reportState);
    }
  }
  if (report) merged.report = report.finish(job.threshold);
  return {
    ...merged,
    merged: mergeOutputs(
      job.outputs,
      results.map((result) => result.outputs),
    ),
  };
}

/** The counts of a check over the whole file from its parts' counts, examples kept in file order. */
export function mergeChecks(results: EngineResult[]): PartCheck {
  const checks = results.map((result) => {
    if (!result.check) throw new Error('check run returned no counts');
    return result.check;
  });
  const [first, ...later] = checks;
  if (!first) throw new Error('no worker results');
  return later.reduce(
    (merged, next) => ({
      rows: merged.rows + next.rows,
      failingRows: merged.failingRows + next.failingRows,
      raggedRows: merged.raggedRows + next.raggedRows,
      inputs: merged.inputs.map((input, k) => {
        const other = next.inputs[k];
        if (!other) return input;
        return {
          ...input,
          missingRows: input.missingRows + other.missingRows,
          invalidRows: input.invalidRows + other.invalidRows,
          examples: [...input.examples, ...other.examples].slice(0, maxExamplesPerInput),
        };
      }),
    }),
    first,
  );
}

/** Appends the later parts' output and errors to the first part's files, in file order. */
export async function joinParts(jobs: EngineJob[], results: EngineResult[]): Promise<void> {
  const [first] = jobs;
  if (!first?.outputTempPath || !first.errorsTempPath) return;
  let errorsStarted = (results[0]?.failed ?? 0) > 0;
  for (let index = 1; index < jobs.length; index++) {
    const part = jobs[index];
    if (!part?.outputTempPath || !part.errorsTempPath) continue;
    await appendFile(first.outputTempPath, part.outputTempPath);
    if ((results[index]?.failed ?? 0) === 0) continue;
    if (!errorsStarted) await writeFile(first.errorsTempPath, errorsHeader, { flag: 'wx' });
    errorsStarted = true;
    await appendFile(first.errorsTempPath, part.errorsTempPath);
  }
}

async function appendFile(target: string, source: string): Promise<void> {
  await pipeline(
    createReadStream(source, { highWaterMark: 1024 * 1024 }),
    createWriteStream(target, { flags: 'a' }),
  );
}
