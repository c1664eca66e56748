import type {
  CompareCsvResult,
  ComparePayloadResult,
  Compatibility,
  DriftReport,
  ModelInfo,
  PredictManyResult,
  PredictResult,
  WhatIfCurve,
} from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import type {
  CompareRequest,
  RunOptions,
  ScoringService,
  ScoringSetupInput,
} from '../scoring/scoring-service.ts';
import { assertCompatible, checkCompatibility } from './compare.ts';
import type { ReferenceProfile } from './drift.ts';
import { computeWhatIf, type WhatIfRequest } from './whatif.ts';

export interface AnalysisServiceOptions {
  models: {
    get(modelId: string): { info: ModelInfo } | undefined;
    predict(modelId: string, payload: unknown): Promise<PredictResult | PredictManyResult>;
  };
  /** CSV passes: Compare and Drift are outputs of the batch engine's one pass (one reader). */
  scoring: Pick<ScoringService, 'compare' | 'drift'>;
  /** The reference stored with a model in the library. */
  references: { referenceProfileFor(modelId: string): Promise<ReferenceProfile | undefined> };
}

/** Compare, Drift and What-if over open models: plain functions of the model, the engine and the reference. */
export class AnalysisService {
  constructor(private readonly options: AnalysisServiceOptions) {}

  private info(modelId: string): ModelInfo {
    const model = this.options.models.get(modelId);
    if (!model) throw new AppError('model-not-open', `No open model has id ${modelId}; open it again.`);
    return model.info;
  }

  async whatIf(modelId: string, request: WhatIfRequest): Promise<WhatIfCurve> {
    const reference = await this.options.references.referenceProfileFor(modelId);
    return computeWhatIf(
      this.info(modelId),
      (payload) => this.options.models.predict(modelId, payload),
      request,
      reference,
    );
  }

  compareCheck(modelIdA: string, modelIdB: string): Compatibility {
    return checkCompatibility(this.info(modelIdA), this.info(modelIdB));
  }

  async comparePayload(
    modelIdA: string,
    modelIdB: string,
    payload: Record<string, unknown>,
  ): Promise<ComparePayloadResult> {
    assertCompatible(this.info(modelIdA), this.info(modelIdB));
    const [a, b] = await Promise.all([
      this.options.models.predict(modelIdA, payload),
      this.options.models.predict(modelIdB, payload),
    ]);
    if ('predictions' in a || 'predictions' in b)
      throw new AppError('invalid-payload', 'Compare one payload at a time.');
    const pa = a.probability ?? a.value ?? null;
    const pb = b.probability ?? b.value ?? null;
    return {
      a: { label: a.label, probability: pa, probabilities: a.probabilities },
      b: { label: b.label, probability: pb, probabilities: b.probabilities },
      absDelta: pa === null || pb === null ? null : Math.abs(pa - pb),
      labelsAgree: String(a.label) === String(b.label),
    };
  }

  /** The same CSV through both models, read as Batch reads it (the engine's compare output). */
  compareCsv(request: CompareRequest, options: RunOptions = {}): Promise<CompareCsvResult> {
    return this.options.scoring.compare(request, options);
  }

  /** PSI of a CSV against the reference attached to the model: the same pass a batch run makes. */
  async drift(setup: ScoringSetupInput, options: RunOptions = {}): Promise<DriftReport> {
    const profile = await this.options.references.referenceProfileFor(setup.modelId);
    if (!profile) {
      throw new AppError(
        'not-found',
        'This model has no reference CSV attached; attach one in the library first.',
      );
    }
    return this.options.scoring.drift(setup, profile, options);
  }
}
