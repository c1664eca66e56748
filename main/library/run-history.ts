import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CompareCsvResult, ModelInfo, RunRecord, ScoringSummary } from '../../shared/contract/index.ts';
import { currentBandName } from '../../shared/drift-bands.ts';

/**
 * What a run record says about its input: name, size and SHA-256 of the file as it was scored, so
 * an analyst can tell later whether the file on disk is still the one. A file that changes while it
 * is read is refused rather than given a checksum of neither version.
 */
export async function describeInputFile(filePath: string): Promise<RunRecord['input']> {
  return (await hashInputFile(filePath)).input;
}

type FileIdentity = Pick<Stats, 'size' | 'mtimeMs' | 'ino'>;

async function hashInputFile(
  filePath: string,
  stop?: AbortSignal,
): Promise<{ input: RunRecord['input']; before: FileIdentity }> {
  const resolved = path.resolve(filePath);
  const hash = createHash('sha256');
  const handle = await fs.open(resolved, 'r');
  let before: FileIdentity;
  try {
    before = await handle.stat();
    // One buffer read into again and again: hashing runs beside a scoring run, which should not pay
    // for a fresh megabyte (RSS, garbage collection) per piece of the file.
    const buffer = Buffer.allocUnsafe(1024 * 1024);
    for (;;) {
      stop?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
  if (!sameFile(before, await fs.stat(resolved)))
    throw new Error(`${path.basename(resolved)} changed while its checksum was taken.`);
  return {
    input: {
      fileName: path.basename(resolved),
      path: resolved,
      sizeBytes: before.size,
      sha256: hash.digest('hex'),
    },
    before,
  };
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.size === b.size && a.mtimeMs === b.mtimeMs && a.ino === b.ino;
}

/**
 * describeInputFile begun as a run starts, while the scoring workers read the file and this thread
 * waits: hashing a large input after the run used to add its whole read to every run's end. The
 * returned function gives the description once the run is over; the early checksum stands when the
 * file is still the one it hashed (size, mtime, inode; the engine refuses a file changed while it is
 * scored), otherwise the file is hashed again as it is now. `stop` ends the early hashing (a run
 * that failed or was cancelled: a large file is not read to its end for nothing).
 */
export function describeInputFileEarly(
  filePath: string,
  stop?: AbortSignal,
): () => Promise<RunRecord['input']> {
  const early = hashInputFile(filePath, stop);
  early.catch(() => undefined); // awaited (or replaced) after the run; a run that fails never asks
  return async () => {
    const hashed = await early.catch(() => undefined);
    const now = await fs.stat(path.resolve(filePath)).catch(() => undefined);
    if (hashed && now && sameFile(hashed.before, now)) return hashed.input;
    return describeInputFile(filePath);
  };
}

export function runModel(
  info: ModelInfo,
  role: RunRecord['models'][number]['role'],
): RunRecord['models'][number] {
  return { role, fileName: info.file.fileName, path: info.file.path, sha256: info.file.sha256 };
}

/** The numbers, strings and nulls of an object's top level (the list shows these; the full result is kept apart). */
export function headlineFigures(values: Record<string, unknown>): RunRecord['metrics'] {
  const figures: RunRecord['metrics'] = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'number' || typeof value === 'string' || value === null) figures[key] = value;
  }
  return figures;
}

/** What a batch run's record keeps of its request and summary (settings as given, figures as computed). */
export async function batchRunRecord(
  info: ModelInfo,
  request: {
    path: string;
    outputPath?: string;
    threshold?: number;
    labelColumn?: string;
    capacity?: unknown;
    explain?: unknown;
    numberFormat?: string;
    dialect?: unknown;
    mapping?: unknown;
    missing?: unknown;
    unseenCategories?: unknown;
  },
  summary: ScoringSummary,
  via: RunRecord['via'],
  /** The input's description begun with the run (describeInputFileEarly); else the file is hashed now. */
  input?: () => Promise<RunRecord['input']>,
): Promise<Omit<RunRecord, 'id' | 'finishedAt'>> {
  // The run's own ids and the reference's profile are not settings; the reference is named by its path elsewhere.
  const {
    path: inputPath,
    outputPath: _output,
    modelId: _model,
    operationId: _operation,
    overwrite: _overwrite,
    reference: _reference,
    ...settings
  } = request as typeof request & {
    modelId?: string;
    operationId?: string;
    overwrite?: boolean;
    reference?: unknown;
  };
  const metrics = summary.report.metrics;
  return {
    kind: 'batch',
    via,
    models: [runModel(info, 'model')],
    input: await (input ? input() : describeInputFile(inputPath)),
    settings: { ...settings, dialectUsed: summary.dialect, numberFormatUsed: summary.numberFormat ?? null },
    metrics: {
      rows: summary.rows,
      scored: summary.scored,
      failed: summary.failed,
      seconds: summary.seconds,
      ...(metrics ? { rocAuc: metrics.rocAuc, logLoss: metrics.logLoss, labelledRows: metrics.rows } : {}),
      ...(summary.report.selection
        ? {
            selected: summary.report.selection.selected,
            selectionThreshold: summary.report.selection.threshold,
          }
        : {}),
    },
    outputs: {
      output: summary.outputPath,
      ...(summary.errorsPath ? { errors: summary.errorsPath } : {}),
    },
  };
}

/** A compare run's record: both models, the input, the settings and the headline figures. */
export async function compareRunRecord(
  a: ModelInfo,
  b: ModelInfo,
  request: { path: string; threshold: number; labelColumn?: string; [setting: string]: unknown },
  result: CompareCsvResult,
  via: RunRecord['via'],
): Promise<Omit<RunRecord, 'id' | 'finishedAt'>> {
  const { path: inputPath, ...settings } = request;
  const decisions = result.decisions;
  return {
    kind: 'compare',
    via,
    models: [runModel(a, 'a'), runModel(b, 'b')],
    input: await describeInputFile(inputPath),
    settings,
    metrics: {
      rows: result.rows,
      compared: result.compared,
      failed: result.failed,
      labelAgreement: result.labelAgreement,
      meanAbsDelta: result.meanAbsDelta,
      flips: result.flips.count,
      ...(decisions
        ? {
            rocAucA: decisions.a.rocAuc,
            rocAucB: decisions.b.rocAuc,
            aucDifference: decisions.delong?.aucDifference ?? null,
            pValue: decisions.delong?.pValue ?? null,
          }
        : {}),
    },
    outputs: {},
  };
}

/**
 * A kept run's result (runs/<id>.json) as today's contract reads it. Runs kept before the third PSI band was
 * renamed say "significant": reopened, they show "shifted", and their report can be saved again (the
 * contract accepts only today's names).
 */
export function upgradeRunResult(result: unknown): unknown {
  if (!isObject(result) || !isObject(result.drift)) return result;
  const upgradeFeature = (feature: unknown) =>
    isObject(feature) && 'band' in feature ? { ...feature, band: currentBandName(feature.band) } : feature;
  const drift = result.drift;
  return {
    ...result,
    drift: {
      ...drift,
      ...(Array.isArray(drift.features) ? { features: drift.features.map(upgradeFeature) } : {}),
      ...('score' in drift ? { score: upgradeFeature(drift.score) } : {}),
    },
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
