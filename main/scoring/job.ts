import path from 'node:path';
import type { CsvInspection, ModelInfo } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { resolveMissingPolicies } from './column-mapping.ts';
import type { EngineJob, ModelShape, ReadLimits } from './types.ts';

/**
 * Rows per session.run. 4,096 measured best with the sample model (`npm run bench:batch --
 * --batch-sizes 1024,4096,8192,32768`): 1,024 pays onnxruntime's per-call cost too often (+15% CPU),
 * 32,768 holds more rows at once (+120 MB peak RSS) and was slower; 8,192 was no faster than 4,096.
 */
export const defaultBatchSize = 4096;

/** The settings of a run that are not the model's or the file's (ScoringSetupInput's, in the app). */
export interface JobSetup {
  missing?: EngineJob['missing'];
  unseenCategories?: EngineJob['unseenCategories'];
}

/**
 * The engine's job for a file as inspected (inspection.ts): one place, so that the app, the CLI and
 * the exported bundle's batch scorer (assets/bundle/server/score.js) read a file with the same settings.
 */
export function engineJobFor(
  kind: EngineJob['kind'],
  model: ModelShape,
  inspection: CsvInspection,
  setup: JobSetup,
  run: { batchSize: number; limits: ReadLimits; progressIntervalMs: number },
): EngineJob {
  if (inspection.unmappedInputs.length > 0) {
    const names = inspection.unmappedInputs;
    throw new AppError(
      'mapping-incomplete',
      `No column of ${path.basename(inspection.path)} matches the model input${names.length > 1 ? 's' : ''} ${names.join(', ')}; choose ${names.length > 1 ? 'columns' : 'a column'} for ${names.length > 1 ? 'them' : 'it'}.`,
      { inputs: names, columns: inspection.columns },
    );
  }
  return {
    kind,
    inputPath: inspection.path,
    dialect: inspection.dialect,
    mapping: inspection.mapping,
    missing: resolveMissingPolicies(model.inputs, inspection.mapping, setup.missing),
    numberFormat: inspection.numberFormat,
    unseenCategories: setup.unseenCategories ?? 'count',
    model,
    threshold: 0.5,
    ...run,
  };
}

/** The engine's view of a model (plain data: it crosses into worker threads). */
export function modelShape(
  info: Pick<ModelInfo, 'task' | 'inputs' | 'outputs' | 'classLabels' | 'positiveClass'>,
): ModelShape {
  return {
    task: info.task,
    inputs: info.inputs,
    outputs: info.outputs,
    classLabels: info.classLabels,
    positiveClass: info.positiveClass,
  };
}
