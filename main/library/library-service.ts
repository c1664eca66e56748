import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type {
  GoldenSample,
  LibraryEntry,
  LibraryNotice,
  ModelInfo,
  Prediction,
  PredictManyResult,
  PredictResult,
  RunRecord,
  SampleRunReport,
} from '../../shared/contract/index.ts';
import type { ReferenceProfile } from '../analysis/drift.ts';
import { AppError } from '../errors.ts';
import { copyFileStaged, writeFileStaged } from '../files/staged-write.ts';
import { lineageOf } from './lineage.ts';
import { upgradeRunResult } from './run-history.ts';
import { expectedFrom, judgeSample, SAMPLE_TOLERANCE } from './samples.ts';
import { emptyStore, type LibraryStoreData, loadStoreFile, saveStoreFile } from './store-file.ts';

/** What the library needs of an open model. */
export interface OpenModel {
  info: ModelInfo;
}

/** What the library needs of the core model service (main/models/ModelService satisfies it). */
export interface ModelServicePort {
  open(filePath: string, options?: { signal?: AbortSignal }): Promise<ModelInfo>;
  get(modelId: string): OpenModel | undefined;
  predict(modelId: string, payload: unknown): Promise<PredictResult | PredictManyResult>;
  list(): ModelInfo[] | Promise<ModelInfo[]>;
  close(modelId: string): Promise<boolean>;
}

/**
 * Profiles a reference CSV for an open model: the batch engine's pass (ScoringService.profile), so a
 * reference is read exactly as Batch reads a file.
 */
export type ReferenceProfiler = (
  modelId: string,
  csvPath: string,
  signal?: AbortSignal,
) => Promise<ReferenceProfile>;

export interface LibraryServiceOptions {
  dataDir: string;
  models: ModelServicePort;
  profileCsv: ReferenceProfiler;
  now?: () => Date;
}

/**
 * The model library: a checksummed copy of every model opened, with names, version labels, notes,
 * golden samples and an optional reference CSV profile, kept in <dataDir>/library/library.json.
 */
export class LibraryService {
  readonly root: string;
  readonly storeFile: string;
  private readonly models: ModelServicePort;
  private readonly profileCsv: ReferenceProfiler;
  private readonly now: () => Date;
  private data: LibraryStoreData = emptyStore();
  private notice: LibraryNotice | undefined;
  private loaded: Promise<void> | undefined;
  /** Every change runs in turn, so two calls never write the store from stale copies. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly profiles = new Map<string, ReferenceProfile>();

  constructor(options: LibraryServiceOptions) {
    this.root = path.join(options.dataDir, 'library');
    this.storeFile = path.join(this.root, 'library.json');
    this.models = options.models;
    this.profileCsv = options.profileCsv;
    this.now = options.now ?? (() => new Date());
  }

  private async ready(): Promise<void> {
    this.loaded ??= (async () => {
      await fs.mkdir(this.root, { recursive: true });
      const loaded = await loadStoreFile(this.storeFile, this.now);
      this.data = loaded.data;
      this.notice = loaded.notice;
    })();
    // A failed load (folder not writable, …) is tried again on the next call instead of sticking.
    this.loaded.catch(() => {
      this.loaded = undefined;
    });
    return this.loaded;
  }

  private change<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      await this.ready();
      return work();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async persist(): Promise<void> {
    await saveStoreFile(this.storeFile, this.data);
  }

  // ── entries ────────────────────────────────────────────────────────────────────────────────────

  /**
   * Keeps the model just opened: copies the user's file into library/<sha256>/ (checksum verified) the
   * first time, and only touches lastOpenedAt after that. The name is the file name without extension;
   * the version label is the next vN among entries of that name.
   */
  async addFromOpen(info: ModelInfo): Promise<LibraryEntry> {
    const lineage = lineageOf(info.inputs);
    let referenceSource: LibraryEntry | undefined;
    const added = await this.change(async () => {
      const timestamp = this.now().toISOString();
      const existing = this.data.entries.find((entry) => entry.sha256 === info.file.sha256);
      if (existing) {
        existing.lastOpenedAt = timestamp;
        existing.lineage ??= lineage;
        await this.persist();
        return { ...existing };
      }
      const storedPath = await this.keepCopy(info.file.path, info.file.sha256, info.file.fileName);
      // A model with the inputs of one already kept is its next version: same name, next vN.
      const family = this.data.entries
        .filter((entry) => entry.lineage === lineage)
        .sort((a, b) => (a.addedAt < b.addedAt ? -1 : a.addedAt > b.addedAt ? 1 : 0));
      const predecessor = family.at(-1);
      referenceSource = family.filter((entry) => entry.reference).at(-1);
      const name = predecessor?.name ?? (path.parse(info.file.fileName).name || info.file.fileName);
      const entry: LibraryEntry = {
        id: info.file.sha256.slice(0, 16),
        name,
        lineage,
        versionLabel: this.nextVersionLabel(name, lineage),
        format: info.format,
        fileName: info.file.fileName,
        sourcePath: info.file.path,
        storedPath,
        sha256: info.file.sha256,
        md5: info.file.md5,
        sizeBytes: info.file.sizeBytes,
        addedAt: timestamp,
        lastOpenedAt: timestamp,
        notes: '',
      };
      this.data.entries.push(entry);
      await this.persist();
      return { ...entry };
    });
    const from = referenceSource;
    if (from?.reference && !added.reference) {
      // Re-profiled with the new version (the score deciles are the model's own); in the background, so a
      // large reference doesn't hold up the open. list() and get() wait for it.
      const carrying = this.carryReference(added, from).catch(() => undefined);
      this.carrying.add(carrying);
      void carrying.finally(() => this.carrying.delete(carrying));
    }
    return added;
  }

  private readonly carrying = new Set<Promise<unknown>>();

  /**
   * The drift reference of the previous version goes on to the next (the same data still describes what the
   * model should see), when its CSV is still where it was and unchanged.
   */
  private async carryReference(entry: LibraryEntry, from: LibraryEntry): Promise<void> {
    const reference = from.reference!;
    if ((await sha256OfFile(reference.sourcePath).catch(() => null)) !== reference.sha256) return;
    await this.attachReference(entry.id, reference.sourcePath);
    await this.update(entry.id, (stored) => {
      if (stored.reference) stored.reference.carriedFrom = from.versionLabel;
    });
  }

  private nextVersionLabel(name: string, lineage?: string): string {
    let highest = 0;
    for (const entry of this.data.entries) {
      const sameLineage = lineage !== undefined && entry.lineage === lineage;
      if (!sameLineage && entry.name.toLowerCase() !== name.toLowerCase()) continue;
      const match = /^v(\d+)$/i.exec(entry.versionLabel);
      highest = Math.max(highest, match ? Number(match[1]) : 1);
    }
    return `v${highest + 1}`;
  }

  /** Copies to a temp name, checks the SHA-256 of the copy against the one computed at open, then renames. */
  private async keepCopy(source: string, sha256: string, fileName: string): Promise<string> {
    const dir = path.join(this.root, sha256);
    const target = path.join(dir, safeFileName(fileName));
    await fs.mkdir(dir, { recursive: true });
    if (await fileHasSha256(target, sha256)) return target;
    await copyFileStaged(source, target, async (copy) => {
      const copied = await sha256OfFile(copy);
      if (copied !== sha256) {
        throw new AppError(
          'checksum-mismatch',
          `${fileName} changed on disk after it was opened, so the library did not keep a copy.`,
          { expected: sha256, actual: copied },
        );
      }
    });
    return target;
  }

  /** Every entry, newest first; `query` matches name, version label, file name, notes or a checksum prefix. */
  async list(query?: string): Promise<{ entries: LibraryEntry[]; notice?: LibraryNotice }> {
    await this.ready();
    await Promise.all(this.carrying);
    const needle = query?.trim().toLowerCase() ?? '';
    const entries = this.data.entries
      .filter((entry) => !needle || matchesQuery(entry, needle))
      .sort((a, b) => (a.addedAt < b.addedAt ? 1 : a.addedAt > b.addedAt ? -1 : 0))
      .map((entry) => ({ ...entry }));
    return this.notice ? { entries, notice: this.notice } : { entries };
  }

  async get(id: string): Promise<LibraryEntry> {
    await this.ready();
    await Promise.all(this.carrying);
    return { ...this.find(id) };
  }

  private find(id: string): LibraryEntry {
    const entry = this.data.entries.find((candidate) => candidate.id === id);
    if (!entry) throw new AppError('not-found', `There is no model with id ${id} in the library.`);
    return entry;
  }

  private update(id: string, apply: (entry: LibraryEntry) => void): Promise<LibraryEntry> {
    return this.change(async () => {
      const entry = this.find(id);
      apply(entry);
      await this.persist();
      return { ...entry };
    });
  }

  rename(id: string, name: string): Promise<LibraryEntry> {
    return this.update(id, (entry) => {
      entry.name = name.trim();
    });
  }

  relabel(id: string, versionLabel: string): Promise<LibraryEntry> {
    return this.update(id, (entry) => {
      entry.versionLabel = versionLabel.trim();
    });
  }

  setNotes(id: string, notes: string): Promise<LibraryEntry> {
    return this.update(id, (entry) => {
      entry.notes = notes;
    });
  }

  /** Forgets the entry, its samples and reference, and deletes the stored copy. */
  remove(id: string): Promise<{ removed: boolean }> {
    return this.change(async () => {
      const entry = this.data.entries.find((candidate) => candidate.id === id);
      if (!entry) return { removed: false };
      this.data.entries = this.data.entries.filter((candidate) => candidate !== entry);
      delete this.data.samples[entry.sha256];
      this.profiles.delete(entry.sha256);
      await this.persist();
      await fs.rm(path.join(this.root, entry.sha256), { recursive: true, force: true });
      return { removed: true };
    });
  }

  async dismissNotice(): Promise<{ dismissed: boolean }> {
    await this.ready();
    const had = this.notice !== undefined;
    this.notice = undefined;
    return { dismissed: had };
  }

  /** Opens the library's own copy with the model service. */
  async open(id: string, options: { signal?: AbortSignal } = {}): Promise<ModelInfo> {
    const entry = await this.get(id);
    const info = await this.models.open(entry.storedPath, options);
    await this.addFromOpen(info);
    return info;
  }

  private openModel(modelId: string): OpenModel {
    const model = this.models.get(modelId);
    if (!model) throw new AppError('model-not-open', `No open model has id ${modelId}; open it again.`);
    return model;
  }

  private async entryForModel(modelId: string): Promise<LibraryEntry | undefined> {
    const { info } = this.openModel(modelId);
    await this.ready();
    return this.data.entries.find((entry) => entry.sha256 === info.file.sha256);
  }

  // ── golden samples ─────────────────────────────────────────────────────────────────────────────

  /** The samples of a model by SHA-256 (the export bundle's samples/ are written from this). */
  // ── run history ────────────────────────────────────────────────────────────────────────────────

  /**
   * Keeps a finished batch or compare run: the record in the catalog (listed), its full result in
   * runs/<id>.json (read when it is reopened). Models are named as the library knows them.
   */
  async recordRun(record: Omit<RunRecord, 'id' | 'finishedAt'>, result: unknown): Promise<RunRecord> {
    await this.ready();
    const finishedAt = this.now().toISOString();
    const id = `${finishedAt.replace(/[-:.]/g, '').slice(0, 15)}-${randomBytes(3).toString('hex')}`;
    const models = record.models.map((model) => {
      const entry = this.data.entries.find((candidate) => candidate.sha256 === model.sha256);
      return entry ? { ...model, name: entry.name, versionLabel: entry.versionLabel } : model;
    });
    const kept: RunRecord = { ...record, models, id, finishedAt };
    await writeFileStaged(this.runFile(id), JSON.stringify(result), { durable: true, mkdir: true });
    return this.change(async () => {
      this.data.runs.push(kept);
      await this.persist();
      return kept;
    });
  }

  async listRuns(): Promise<RunRecord[]> {
    await this.ready();
    return [...this.data.runs].reverse();
  }

  async getRun(id: string): Promise<{ record: RunRecord; result: unknown }> {
    await this.ready();
    const record = this.data.runs.find((run) => run.id === id);
    if (!record) throw new AppError('not-found', `There is no run ${id} in the history.`);
    let result: unknown = null;
    try {
      result = upgradeRunResult(JSON.parse(await fs.readFile(this.runFile(id), 'utf8')));
    } catch {
      throw new AppError('not-found', `The saved result of run ${id} is missing from ${this.runFile(id)}.`);
    }
    return { record, result };
  }

  private runFile(id: string): string {
    return path.join(this.root, 'runs', `${id.replace(/[^A-Za-z0-9-]/g, '')}.json`);
  }

  /** For Export's suggested name: the entry's name and version label. */
  async entryForSha256(sha256: string): Promise<{ name: string; versionLabel: string } | undefined> {
    await this.ready();
    const entry = this.data.entries.find((candidate) => candidate.sha256 === sha256);
    return entry ? { name: entry.name, versionLabel: entry.versionLabel } : undefined;
  }

  async listSamples(sha256: string): Promise<GoldenSample[]> {
    await this.ready();
    return (this.data.samples[sha256] ?? []).map((sample) => structuredClone(sample));
  }

  async listSamplesForModel(modelId: string): Promise<GoldenSample[]> {
    return this.listSamples(this.openModel(modelId).info.file.sha256);
  }

  /** Predicts the payload and keeps it with the outputs as a named sample (same name replaces). */
  async saveSample(modelId: string, name: string, payload: Record<string, unknown>): Promise<GoldenSample> {
    const { info } = this.openModel(modelId);
    const result = await this.models.predict(modelId, payload);
    if ('predictions' in result)
      throw new AppError('invalid-payload', 'A golden sample is one payload, not several.');
    const sample: GoldenSample = {
      name: name.trim(),
      modelSha256: info.file.sha256,
      payload: structuredClone(payload),
      expected: expectedFrom(result),
      createdAt: this.now().toISOString(),
    };
    return this.change(async () => {
      const list = (this.data.samples[info.file.sha256] ?? []).filter(
        (existing) => existing.name !== sample.name,
      );
      list.push(sample);
      this.data.samples[info.file.sha256] = list;
      await this.persist();
      return structuredClone(sample);
    });
  }

  removeSample(modelId: string, name: string): Promise<{ removed: boolean }> {
    const sha256 = this.openModel(modelId).info.file.sha256;
    return this.change(async () => {
      const list = this.data.samples[sha256] ?? [];
      const kept = list.filter((sample) => sample.name !== name);
      if (kept.length === list.length) return { removed: false };
      this.data.samples[sha256] = kept;
      await this.persist();
      return { removed: true };
    });
  }

  /** Predicts every sample again; each passes when the label matches and every probability is within 1e-6. */
  async runSamples(modelId: string, tolerance = SAMPLE_TOLERANCE): Promise<SampleRunReport> {
    const samples = await this.listSamplesForModel(modelId);
    const runs = [];
    for (const sample of samples) {
      try {
        const result = await this.models.predict(modelId, sample.payload);
        const prediction: Prediction = 'predictions' in result ? result.predictions[0]! : result;
        runs.push(judgeSample(sample, prediction, tolerance));
      } catch (error) {
        runs.push({
          name: sample.name,
          passed: false,
          maxAbsDelta: null,
          labelMatches: false,
          expected: sample.expected,
          actual: null,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const passed = runs.filter((run) => run.passed).length;
    return { tolerance, passed, failed: runs.length - passed, runs };
  }

  // ── reference and drift ────────────────────────────────────────────────────────────────────────

  /** Profiles a reference CSV (per-input deciles or category shares, and the model's score deciles). */
  async attachReference(
    id: string,
    csvPath: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<LibraryEntry> {
    await this.ready();
    const entry = { ...this.find(id) }; // not get(): a reference being carried over comes through here
    const { model, close } = await this.openForEntry(entry, options.signal);
    try {
      const profile = await this.profileCsv(model.info.modelId, csvPath, options.signal);
      await writeFileStaged(this.profileFile(entry.sha256), JSON.stringify(profile), {
        durable: true,
        mkdir: true,
      });
      this.profiles.set(entry.sha256, profile);
      const sha256 = await sha256OfFile(csvPath);
      return await this.update(id, (stored) => {
        stored.reference = {
          sourcePath: path.resolve(csvPath),
          fileName: path.basename(csvPath),
          sha256,
          rows: profile.rows,
          attachedAt: this.now().toISOString(),
        };
      });
    } finally {
      await close();
    }
  }

  async detachReference(id: string): Promise<LibraryEntry> {
    const entry = await this.update(id, (stored) => {
      delete stored.reference;
    });
    this.profiles.delete(entry.sha256);
    await fs.rm(this.profileFile(entry.sha256), { force: true });
    return entry;
  }

  private profileFile(sha256: string): string {
    return path.join(this.root, sha256, 'reference-profile.json');
  }

  /** Uses the model if it is open already; otherwise opens the stored copy for the duration of the work. */
  private async openForEntry(entry: LibraryEntry, signal?: AbortSignal) {
    const openInfos = await this.models.list();
    const already = openInfos.find((info) => info.file.sha256 === entry.sha256);
    if (already) return { model: this.openModel(already.modelId), close: async () => {} };
    const info = await this.models.open(entry.storedPath, { signal });
    return {
      model: this.openModel(info.modelId),
      close: async () => void (await this.models.close(info.modelId)),
    };
  }

  /** The reference profile attached to an open model's library entry, if any. */
  async referenceProfileFor(modelId: string): Promise<ReferenceProfile | undefined> {
    const entry = await this.entryForModel(modelId);
    if (!entry?.reference) return undefined;
    const cached = this.profiles.get(entry.sha256);
    if (cached) return cached;
    try {
      const profile = JSON.parse(
        await fs.readFile(this.profileFile(entry.sha256), 'utf8'),
      ) as ReferenceProfile;
      this.profiles.set(entry.sha256, profile);
      return profile;
    } catch {
      return undefined;
    }
  }

  /** A reference CSV profiled for an open model without attaching it (the engine's pass: ScoringService.profile). */
  profileReferenceCsv(modelId: string, csvPath: string, signal?: AbortSignal): Promise<ReferenceProfile> {
    return this.profileCsv(modelId, csvPath, signal);
  }

  /** The attached reference of an open model's library entry with its file name (export puts it in bundles). */
  async attachedReference(
    modelId: string,
  ): Promise<{ profile: ReferenceProfile; fileName: string } | undefined> {
    const entry = await this.entryForModel(modelId);
    const profile = await this.referenceProfileFor(modelId);
    return entry?.reference && profile ? { profile, fileName: entry.reference.fileName } : undefined;
  }
}

function matchesQuery(entry: LibraryEntry, needle: string): boolean {
  return (
    entry.name.toLowerCase().includes(needle) ||
    entry.versionLabel.toLowerCase().includes(needle) ||
    entry.fileName.toLowerCase().includes(needle) ||
    entry.notes.toLowerCase().includes(needle) ||
    entry.sha256.startsWith(needle) ||
    entry.md5.startsWith(needle)
  );
}

/** The stored copy keeps the user's file name, minus anything that could climb out of its folder. */
function safeFileName(fileName: string): string {
  const base = path.basename(fileName).replace(/[\\/:*?"<>|\0]/g, '_');
  return base === '' || base === '.' || base === '..' ? 'model' : base;
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function fileHasSha256(file: string, sha256: string): Promise<boolean> {
  try {
    return (await sha256OfFile(file)) === sha256;
  } catch {
    return false;
  }
}
