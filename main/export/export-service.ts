import os from 'node:os';
import path from 'node:path';
import { versionLabelSchema } from '../../shared/contract/index.ts';
import type { StoredBackground } from '../analysis/background-file.ts';
import type { ReferenceProfile } from '../analysis/drift.ts';
import { AppError } from '../errors.ts';
import {
  type ExportableModel,
  type ExportModelSource,
  type ExportOptions,
  exportBundle,
} from './bundle-writer.ts';
import { slugify } from './render.ts';
import { defaultSamplePayloads } from './samples.ts';

/** Drift references (the library): the one attached to a model, or a CSV profiled for it. */
export interface DriftReferenceSource {
  attachedReference(modelId: string): Promise<{ profile: ReferenceProfile; fileName: string } | undefined>;
  profileReferenceCsv(modelId: string, csvPath: string, signal?: AbortSignal): Promise<ReferenceProfile>;
}

/** Where saved golden samples come from (the library); only their payloads are used. */
export interface GoldenSampleSource {
  listSamples(sha256: string): Promise<{ payload: Record<string, unknown> }[]>;
  /** The library's name and version label for the model with this SHA-256, when it keeps it. */
  entryForSha256?(sha256: string): Promise<{ name: string; versionLabel: string } | undefined>;
}

/** Where the background rows of POST /explain come from (the explain service). */
export interface ExplainBackgroundSource {
  background(
    modelId: string,
    options: { backgroundCsv?: string; signal?: AbortSignal },
  ): Promise<StoredBackground>;
}

/**
 * Export for the app, the CLI and the browser host: suggested names and targets, and the bundle writer
 * over the open models of the model service.
 */
export class ExportService {
  private readonly models: ExportModelSource;
  private readonly exportsDir: string;
  private readonly goldenSamples?: GoldenSampleSource;
  private readonly driftReferences?: DriftReferenceSource;
  private readonly backgrounds?: ExplainBackgroundSource;

  constructor(options: {
    models: ExportModelSource;
    exportsDir?: string;
    goldenSamples?: GoldenSampleSource;
    driftReferences?: DriftReferenceSource;
    backgrounds?: ExplainBackgroundSource;
  }) {
    this.models = options.models;
    this.goldenSamples = options.goldenSamples;
    this.driftReferences = options.driftReferences;
    this.backgrounds = options.backgrounds;
    this.exportsDir =
      options.exportsDir ?? process.env.MODELDOCK_EXPORTS_DIR ?? path.join(os.homedir(), 'ModelDock exports');
  }

  /**
   * Name and version from the library (else the file's name and v1), a folder under the exports
   * directory, whether export is allowed, and the drift reference attached to the model (the bundle
   * watches it by default).
   */
  async defaults(modelId: string) {
    const attached = await this.driftReferences?.attachedReference(modelId).catch(() => undefined);
    return {
      ...(await this.namesFor(modelId)),
      ...(attached ? { driftReference: { fileName: attached.fileName, rows: attached.profile.rows } } : {}),
    };
  }

  private async namesFor(modelId: string) {
    const { info } = this.models.get(modelId);
    // The library's name and version (what the analyst calls it: "lead_scoring v2"), else the file's name.
    const kept = await this.goldenSamples?.entryForSha256?.(info.file.sha256).catch(() => undefined);
    const name = slugify(
      kept?.name ?? info.file.fileName.replace(/\.(onnx|pkl|pickle|joblib)$/i, ''),
      'model',
    );
    const version =
      kept && versionLabelSchema.safeParse(kept.versionLabel).success ? kept.versionLabel : 'v1';
    const mismatch = info.checksumCheck && !info.checksumCheck.matches;
    return {
      name,
      version,
      outDir: path.join(this.exportsDir, `${name}-${version}`),
      exportable: !mismatch,
      ...(mismatch
        ? {
            reason: `Export is off: ${info.file.fileName} does not match the expected ${info.checksumCheck!.algorithm === 'sha256' ? 'SHA-256' : 'MD5'} checksum you gave. Check that you have the right file.`,
          }
        : {}),
    };
  }

  /**
   * The analyst's golden samples travel into the bundle (samples/ and its smoke test), so the
   * container is checked against exactly what they saw; the schema-built defaults follow them.
   */
  async exportBundle(
    modelOrId: string | ExportableModel,
    exportOptions: ExportOptions & {
      /** A reference CSV to profile for drift (`modeldock export --reference`). */
      referenceCsv?: string;
      /** Watch the model's attached drift reference (default: yes, when one is attached). */
      drift?: boolean;
      /** Background rows for POST /explain: from this CSV, else the attached reference, else the samples. */
      explain?: { backgroundCsv?: string };
    },
  ) {
    const { referenceCsv, drift, explain, ...rest } = exportOptions;
    let options: ExportOptions = rest;
    if (typeof modelOrId === 'string' && !options.driftReference && drift !== false) {
      const driftReference = referenceCsv
        ? await this.profileCsv(modelOrId, referenceCsv, options.signal)
        : await this.driftReferences?.attachedReference(modelOrId);
      if (driftReference) options = { ...options, driftReference };
    }
    if (explain) {
      if (!this.backgrounds || typeof modelOrId !== 'string') {
        throw new AppError(
          'bad-request',
          'Background rows for /explain can be added to an open model’s bundle only.',
        );
      }
      const background = await this.backgrounds.background(modelOrId, { ...explain, signal: options.signal });
      options = { ...options, explainBackground: background };
    }
    if (options.samplePayloads || !this.goldenSamples) return exportBundle(this.models, modelOrId, options);
    const info = typeof modelOrId === 'string' ? this.models.get(modelOrId).info : modelOrId.info;
    const golden = await this.goldenSamples.listSamples(info.file.sha256).catch(() => []);
    if (golden.length === 0) return exportBundle(this.models, modelOrId, options);
    const samplePayloads = [...golden.map((sample) => sample.payload), ...defaultSamplePayloads(info.inputs)];
    return exportBundle(this.models, modelOrId, { ...options, samplePayloads });
  }

  private async profileCsv(modelId: string, csvPath: string, signal?: AbortSignal) {
    if (!this.driftReferences) throw new Error('This exporter has no drift reference source.');
    const profile = await this.driftReferences.profileReferenceCsv(modelId, csvPath, signal);
    return { profile, fileName: path.basename(csvPath) };
  }
}
