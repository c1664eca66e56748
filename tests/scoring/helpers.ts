import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ModelService } from '../../main/models/model-service.ts';
import { runEngine } from '../../main/scoring/engine.ts';
import { ScoringService, type ScoringSetupInput } from '../../main/scoring/scoring-service.ts';
import { createSessionPredictor } from '../../main/scoring/session-predictor.ts';
import type { BatchPredictor, EngineJob, ReadLimits } from '../../main/scoring/types.ts';
import { defaultReadLimits } from '../../main/scoring/types.ts';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const sampleModel = path.join(repoRoot, 'assets/models/lead_scoring.onnx');
export const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');
export const leadHeader =
  'lead_source,industry,number_of_courses_viewed,annual_income,employment_status,location,interaction_count,lead_score,converted';

/** A temp dir, the sample model opened in a ModelService, and a ScoringService over it. */
export async function scoringFixture(options: { limits?: ReadLimits } = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-batch-'));
  const models = new ModelService({ dataDir: path.join(dir, 'data') });
  const info = await models.open(sampleModel);
  const scoring = new ScoringService(models, { limits: options.limits });
  const setup = (csvPath: string, extra: Partial<ScoringSetupInput> = {}): ScoringSetupInput => ({
    modelId: info.modelId,
    path: csvPath,
    numberFormat: 'plain',
    ...extra,
  });
  /** The engine in this thread (no worker), for tests that need to act during a run. */
  const engineJob = async (csvPath: string, extra: Partial<EngineJob> = {}): Promise<EngineJob> => {
    const inspection = await scoring.inspect(setup(csvPath));
    return {
      kind: 'score',
      inputPath: inspection.path,
      dialect: inspection.dialect,
      mapping: inspection.mapping,
      missing: {},
      numberFormat: 'plain',
      unseenCategories: 'count',
      model: info,
      threshold: 0.5,
      batchSize: 1000,
      limits: options.limits ?? defaultReadLimits,
      progressIntervalMs: 0,
      ...extra,
    };
  };
  const predictor = (job: EngineJob): BatchPredictor =>
    createSessionPredictor(models.get(info.modelId).session, job.model, job.mapping);
  return {
    dir,
    models,
    info,
    scoring,
    setup,
    engineJob,
    predictor,
    runEngine,
    file: (name: string) => path.join(dir, name),
    async close() {
      await models.closeAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Runs a promise that must fail, and returns its typed error. */
export async function failure(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; details?: unknown }> {
  try {
    await promise;
  } catch (error) {
    return error as { code: string; message: string };
  }
  throw new Error('expected a failure');
}
