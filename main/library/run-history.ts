import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { CompareCsvResult, ModelInfo, RunRecord, ScoringSummary } from '../../shared/contract/index.ts';
import { currentBandName } from '../../shared/drift-bands.ts';

/**
 * What a run record says about its input: name, size and SHA-256 of the file as it was scored, so
 * an analyst can tell later whether the file on disk is still the one.
 */
export async function describeInputFile(filePath: string): Promise<RunRecord['input']> {
  const resolved = path.resolve(filePath);
  const { size } = await fs.stat(resolved);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(resolved)) hash.update(chunk as Buffer);
  return { fileName: path.basename(resolved), path: resolved, sizeBytes: size, sha256: hash.digest('hex') };
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
    input: await describeInputFile(inputPath),
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
