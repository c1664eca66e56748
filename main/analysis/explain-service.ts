import fs from 'node:fs/promises';
import type { ExplainOptions, Explanation } from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import type { LibraryService } from '../library/library-service.ts';
import type { ModelService } from '../models/model-service.ts';
import { type BackgroundRows, backgroundFromPayloads, readBackgroundCsv } from './background.ts';
import { explainRow } from './explain.ts';

/**
 * Explains predictions of open models. The background is, in this order: the CSV the caller gives,
 * the reference CSV attached to the model in the library (the drift reference), the model's golden samples.
 */
export class ExplainService {
  private readonly models: ModelService;
  private readonly library: Pick<LibraryService, 'list' | 'listSamplesForModel'>;

  constructor(options: {
    models: ModelService;
    library: Pick<LibraryService, 'list' | 'listSamplesForModel'>;
  }) {
    this.models = options.models;
    this.library = options.library;
  }

  async background(
    modelId: string,
    options: { backgroundCsv?: string; signal?: AbortSignal } = {},
  ): Promise<BackgroundRows> {
    const { info } = this.models.get(modelId);
    if (options.backgroundCsv) return readBackgroundCsv(info.inputs, options.backgroundCsv, options);
    const { entries } = await this.library.list();
    const reference = entries.find((entry) => entry.sha256 === info.file.sha256)?.reference;
    if (reference) {
      const present = await fs.stat(reference.sourcePath).then(
        (stat) => stat.isFile(),
        () => false,
      );
      if (!present) {
        throw new AppError(
          'file-not-found',
          `The reference CSV attached to ${info.file.fileName} is no longer at ${reference.sourcePath}; attach it again or give a background CSV.`,
        );
      }
      return readBackgroundCsv(info.inputs, reference.sourcePath, { ...options, source: 'reference' });
    }
    const samples = await this.library.listSamplesForModel(modelId);
    if (samples.length > 0) {
      return backgroundFromPayloads(
        info.inputs,
        samples.map((sample) => sample.payload),
        { name: 'golden samples' },
      );
    }
    throw new AppError(
      'not-found',
      `ModelDock needs background rows to explain ${info.file.fileName} against: give a background CSV, attach a reference CSV in the library, or save golden samples.`,
    );
  }

  async explain(
    modelId: string,
    payload: unknown,
    options: ExplainOptions & { signal?: AbortSignal } = {},
  ): Promise<Explanation> {
    const model = this.models.get(modelId);
    const background = await this.background(modelId, options);
    return explainRow(model, payload, background, options);
  }
}
