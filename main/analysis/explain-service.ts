import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  BackgroundSource,
  ExplainOptions,
  Explanation,
  ModelInfo,
} from '../../shared/contract/index.ts';
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
  private readonly csvCache = new Map<string, BackgroundRows>();

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
    if (options.backgroundCsv) return this.readCsv(info, options.backgroundCsv, 'csv', options.signal);
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
      return this.readCsv(info, reference.sourcePath, 'reference', options.signal);
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

  /**
   * A background CSV read once per model and file version: Try explains every prediction, and reading a
   * large reference each time would cost more than the explanation. A changed file (size or time) is read again.
   */
  private async readCsv(
    info: { file: { sha256: string }; inputs: ModelInfo['inputs'] },
    csvPath: string,
    source: BackgroundSource,
    signal?: AbortSignal,
  ): Promise<BackgroundRows> {
    const stat = await fs.stat(csvPath).catch(() => undefined);
    const key = stat
      ? `${info.file.sha256}|${source}|${path.resolve(csvPath)}|${stat.size}|${stat.mtimeMs}`
      : undefined;
    const cached = key ? this.csvCache.get(key) : undefined;
    if (cached) return cached;
    const read = await readBackgroundCsv(info.inputs, csvPath, { signal, source });
    if (key) {
      this.csvCache.set(key, read);
      // A few models' backgrounds at most (each is ≤ 1,000 rows): the oldest goes first.
      if (this.csvCache.size > 8) this.csvCache.delete(this.csvCache.keys().next().value!);
    }
    return read;
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
