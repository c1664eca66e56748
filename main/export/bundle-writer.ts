import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import {
  chmod,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type {
  BundleFormat,
  ModelInfo,
  PredictManyResult,
  PredictResult,
} from '../../shared/contract/index.ts';
import { backgroundFileText, type StoredBackground } from '../analysis/background-file.ts';
import type { ReferenceProfile } from '../analysis/drift.ts';
import { AppError, throwIfCancelled } from '../errors.ts';
import { stagedPath } from '../files/staged-write.ts';
import { listFiles, writeTarGz, writeZip } from './archive.ts';
import { bundleDriftProfile, driftProfilePath } from './drift-profile.ts';
import { describeOutputs, rowJsonSchema } from './input-schema.ts';
import {
  exampleResponse,
  imageTag,
  inputsTable,
  oipExample,
  outputsTable,
  pythonLiteral,
  renderTemplate,
  shellSingleQuoted,
  slugify,
} from './render.ts';
import { type BundleSample, buildSamples, defaultSamplePayloads } from './samples.ts';

export type { BundleFormat };

/** What the exporter needs of an open model (ModelService's LoadedModel has these). */
export interface ExportableModel {
  info: ModelInfo;
  /** The ONNX bytes ModelDock runs (ZipMap bypassed, or converted from scikit-learn). */
  servedModelBytes: Uint8Array;
}

/** What the exporter needs of the model service: the open model, and ModelDock's own predictions. */
export interface ExportModelSource {
  get(modelId: string): ExportableModel;
  predict(modelId: string, payload: unknown): Promise<PredictResult | PredictManyResult>;
}

export interface ExportProgress {
  stage: string;
  done: number;
  total: number;
}

export interface ExportOptions {
  /** The bundle folder to create, or the archive path (".zip"/".tar.gz" is added when missing). */
  outDir: string;
  name?: string;
  /** Version label, such as v1 or 2025-06-01. */
  version?: string;
  format?: BundleFormat;
  /** Replace an existing target. */
  force?: boolean;
  /**
   * A drift reference to watch in production: its profile goes into the bundle (bin edges and shares,
   * never rows) and the service reports PSI against it (/metrics, /drift).
   */
  driftReference?: { profile: ReferenceProfile; fileName: string };
  /** Payloads for samples/ and the README; by default built from the input schema. */
  samplePayloads?: Record<string, unknown>[];
  /**
   * Background rows for POST /explain (main/analysis/background.ts), written to explain/background.json:
   * data from the analyst's CSV or samples travels in the bundle. Without them /explain answers 404.
   */
  explainBackground?: StoredBackground;
  signal?: AbortSignal;
  onProgress?: (progress: ExportProgress) => void;
}

export interface ExportResult {
  path: string;
  format: BundleFormat;
  name: string;
  version: string;
  files: string[];
  sizeBytes: number;
  modelSha256: string;
  /** What to run next, for a person. */
  nextCommands: string[];
  /** The drift reference the bundle watches, when it has one. */
  drift?: {
    fileName: string;
    referenceRows: number;
    features: number;
    score: boolean;
    /** Per required input, the reference's empty cells left out of its profile (drift-profile.ts). */
    emptyCellsLeftOut?: Record<string, number>;
  };
  example: { payload: Record<string, unknown>; response: Record<string, unknown> };
}

const require = createRequire(import.meta.url);
/** Where a bundle keeps the background rows of POST /explain. */
const explainBackgroundFile = 'explain/background.json';
const templateRoot = fileURLToPath(new URL('../../assets/bundle/', import.meta.url));

/** Server and build files copied into every bundle as they are. */
const verbatimFiles = [
  'Dockerfile',
  '.dockerignore',
  'package.json',
  'package-lock.json',
  'scripts/smoke.js',
];
const renderedFiles = [
  'README.md',
  'docker-compose.yml',
  'k8s/deployment.yaml',
  'k8s/service.yaml',
  'k8s/hpa.yaml',
  'k8s/inferenceservice.yaml',
  'k8s/batch-job.yaml',
  'monitoring/prometheus.yml',
  'monitoring/alerts.yml',
  'monitoring/grafana-dashboard.json',
];

const stages = [
  'Checking the model',
  'Scoring samples',
  'Writing the bundle',
  'Computing checksums',
  'Finishing',
];

const namePattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const cancelledMessage = 'The export was cancelled; nothing was written.';

async function exists(target: string): Promise<boolean> {
  try {
    await lstat(target);
    return true;
  } catch {
    return false;
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The target path with the archive extension the format needs. */
export function targetPath(outDir: string, format: BundleFormat): string {
  const resolved = path.resolve(outDir);
  if (format === 'zip') return resolved.endsWith('.zip') ? resolved : `${resolved}.zip`;
  if (format === 'tar.gz') return /\.(tar\.gz|tgz)$/.test(resolved) ? resolved : `${resolved}.tar.gz`;
  return resolved;
}

function defaultName(info: ModelInfo): string {
  const stem = info.file.fileName.replace(/\.(onnx|pkl|pickle|joblib)$/i, '');
  return slugify(stem, 'model');
}

function readModelDockVersion(): string {
  return (require('../../package.json') as { version: string }).version;
}

/**
 * Writes a deployment bundle for an open model: a Dockerfile, the server, the model exactly as
 * ModelDock runs it, samples scored by ModelDock, a manifest and SHA256SUMS. Everything is written to
 * a temporary folder next to the target and renamed at the end, so a half-written bundle never exists.
 */
export async function exportBundle(
  source: ExportModelSource,
  modelOrId: string | ExportableModel,
  options: ExportOptions,
): Promise<ExportResult> {
  const { signal } = options;
  const format = options.format ?? 'dir';
  const model = typeof modelOrId === 'string' ? source.get(modelOrId) : modelOrId;
  const { info } = model;
  const progress = (index: number) =>
    options.onProgress?.({ stage: stages[index]!, done: index, total: stages.length });

  progress(0);
  if (info.checksumCheck && !info.checksumCheck.matches) {
    throw new AppError(
      'checksum-mismatch',
      `${info.file.fileName} does not match the expected ${info.checksumCheck.algorithm === 'sha256' ? 'SHA-256' : 'MD5'} checksum, so ModelDock will not export it.`,
      { expected: info.checksumCheck.expected, algorithm: info.checksumCheck.algorithm },
    );
  }
  const name = options.name ?? defaultName(info);
  if (!namePattern.test(name)) {
    throw new AppError(
      'bad-request',
      `The bundle name "${name}" must be 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit.`,
    );
  }
  const version = options.version ?? 'v1';
  if (!/^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/.test(version)) {
    throw new AppError(
      'bad-request',
      `The version label "${version}" must be 1–64 letters, digits, dots, dashes, plus signs or underscores.`,
    );
  }
  const target = targetPath(options.outDir, format);
  if (path.resolve(info.file.path) === target) {
    throw new AppError(
      'output-is-input',
      'The export target is the model file itself; choose another folder.',
    );
  }
  if ((await exists(target)) && !options.force) {
    throw new AppError(
      'output-exists',
      `${target} already exists; choose another target or confirm replacing it (--force).`,
      {
        path: target,
      },
    );
  }
  const parent = path.dirname(target);
  await mkdir(parent, { recursive: true });
  throwIfCancelled(signal, cancelledMessage);

  progress(1);
  const payloads = options.samplePayloads ?? defaultSamplePayloads(info.inputs);
  const samples = await buildSamples(info, payloads, (payload) => source.predict(info.modelId, payload));
  throwIfCancelled(signal, cancelledMessage);

  progress(2);
  const staging = stagedPath(target);
  try {
    await writeBundleFiles(staging, model, {
      name,
      version,
      samples,
      driftReference: options.driftReference,
      background: options.explainBackground,
    });
    throwIfCancelled(signal, cancelledMessage);
    progress(3);
    const files = await writeChecksums(staging);
    throwIfCancelled(signal, cancelledMessage);
    progress(4);
    const modelSha256 = createHash('sha256').update(model.servedModelBytes).digest('hex');
    const driftProfile = options.driftReference
      ? bundleDriftProfile(info, options.driftReference.profile, options.driftReference.fileName)
      : undefined;
    const driftSummary = driftProfile && {
      fileName: driftProfile.reference.fileName,
      referenceRows: driftProfile.reference.rows,
      features: driftProfile.features.length,
      score: driftProfile.score !== undefined,
      ...(driftProfile.reference.emptyCellsLeftOut
        ? { emptyCellsLeftOut: driftProfile.reference.emptyCellsLeftOut }
        : {}),
    };
    const result = await publish(staging, target, format, name, options);
    const first = samples[0]!;
    return {
      path: target,
      format,
      name,
      version,
      files,
      sizeBytes: result.sizeBytes,
      modelSha256,
      nextCommands: nextCommands(target, format, name, version, first),
      ...(driftSummary ? { drift: driftSummary } : {}),
      example: {
        payload: first.payload,
        response: exampleResponse(first, { name, version, sha256: modelSha256 }),
      },
    };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function writeBundleFiles(
  root: string,
  model: ExportableModel,
  bundle: {
    name: string;
    version: string;
    samples: BundleSample[];
    driftReference?: ExportOptions['driftReference'];
    background?: StoredBackground;
  },
): Promise<void> {
  const { info } = model;
  const { name, version, samples, background } = bundle;
  const driftProfile = bundle.driftReference
    ? bundleDriftProfile(info, bundle.driftReference.profile, bundle.driftReference.fileName)
    : undefined;
  if (driftProfile) {
    await mkdir(path.join(root, path.dirname(driftProfilePath)), { recursive: true });
    await writeFile(path.join(root, driftProfilePath), `${JSON.stringify(driftProfile, null, 2)}\n`);
  }
  await mkdir(path.join(root, 'model', 'original'), { recursive: true });
  await mkdir(path.join(root, 'samples'), { recursive: true });

  for (const file of verbatimFiles) {
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await copyFile(path.join(templateRoot, file), path.join(root, file));
  }
  await mkdir(path.join(root, 'server'), { recursive: true });
  for (const file of await readdir(path.join(templateRoot, 'server'))) {
    if (file.endsWith('.js'))
      await copyFile(path.join(templateRoot, 'server', file), path.join(root, 'server', file));
  }

  const modelSha256 = createHash('sha256').update(model.servedModelBytes).digest('hex');
  await writeFile(path.join(root, 'model', 'model.onnx'), model.servedModelBytes);
  const originalRelative = `model/original/${info.file.fileName}`;
  const originalTarget = path.join(root, 'model', 'original', info.file.fileName);
  await copyFile(info.file.path, originalTarget);
  const originalSha256 = await sha256OfFile(originalTarget);
  if (originalSha256 !== info.file.sha256) {
    throw new AppError(
      'checksum-mismatch',
      `${info.file.fileName} changed on disk since ModelDock opened it; open it again before exporting.`,
      { expected: info.file.sha256, actual: originalSha256 },
    );
  }
  await chmod(originalTarget, 0o644);

  for (const sample of samples) {
    const body = { description: sample.description, payload: sample.payload, expected: sample.expected };
    await writeFile(path.join(root, 'samples', `${sample.name}.json`), `${JSON.stringify(body, null, 2)}\n`);
  }

  if (background) {
    await mkdir(path.join(root, 'explain'), { recursive: true });
    await writeFile(path.join(root, explainBackgroundFile), backgroundFileText(background));
  }

  const { outputs, meaning } = describeOutputs(info);
  const first = samples[0]!;
  const modelRef = { name, version, sha256: modelSha256 };
  const manifest = {
    manifestVersion: 1,
    name,
    version,
    createdAt: new Date().toISOString(),
    modeldock: { version: readModelDockVersion() },
    description: `${info.task} model exported from ${info.file.fileName}.`,
    source: {
      fileName: info.file.fileName,
      path: originalRelative,
      format: info.format,
      sha256: info.file.sha256,
      md5: info.file.md5,
      sizeBytes: info.file.sizeBytes,
      zipMapRemoved: info.zipMapRemoved,
      ...(info.conversion
        ? {
            conversion: {
              from: info.conversion.from,
              sklearnVersion: info.conversion.sklearnVersion,
              steps: info.conversion.steps,
            },
          }
        : {}),
      ...(info.checksumCheck ? { checksumCheck: info.checksumCheck } : {}),
    },
    model: {
      path: 'model/model.onnx',
      sha256: modelSha256,
      task: info.task,
      inputs: info.inputs,
      outputs,
      ...(info.classLabels ? { classLabels: info.classLabels } : {}),
      ...(info.positiveClass !== undefined ? { positiveClass: info.positiveClass } : {}),
      metadata: {
        producerName: info.metadata.producerName,
        producerVersion: info.metadata.producerVersion,
        opsetImports: info.metadata.opsetImports,
      },
    },
    inputSchema: rowJsonSchema(info.inputs),
    outputsMeaning: meaning,
    example: {
      payload: first.payload,
      response: exampleResponse(first, modelRef),
      oip: oipExample(info, first.payload),
    },
    samples: samples.map((sample) => `samples/${sample.name}.json`),
    ...(driftProfile
      ? {
          drift: {
            profile: driftProfilePath,
            reference: driftProfile.reference,
            features: driftProfile.features.map((feature) => feature.name),
            score: driftProfile.score !== undefined,
          },
        }
      : {}),
    ...(background
      ? {
          explain: {
            background: explainBackgroundFile,
            rows: background.summary.rows,
            source: background.summary.source,
            name: background.summary.name,
            sampled: background.summary.sampled,
            seed: background.summary.seed,
          },
        }
      : {}),
    files: {} as Record<string, { sha256: string; sizeBytes: number }>,
  };
  // Every file written so far is listed with its hash; manifest.json itself is covered by SHA256SUMS.
  for (const relative of await listFiles(root)) {
    const full = path.join(root, relative);
    manifest.files[relative] = { sha256: await sha256OfFile(full), sizeBytes: (await stat(full)).size };
  }

  const slug = slugify(name);
  const tag = imageTag(version);
  const exampleShell = JSON.stringify(first.payload);
  const warnings = warningsNote(first);
  const values: Record<string, string> = {
    NAME: name,
    VERSION: version,
    VERSION_TAG: tag,
    SLUG: slug,
    IMAGE: `${slug}:${tag}`,
    CREATED_AT: manifest.createdAt,
    MODELDOCK_VERSION: manifest.modeldock.version,
    MODEL_SHA256: modelSha256,
    SOURCE_FILE: info.file.fileName,
    SOURCE_SHA256: info.file.sha256,
    SERVED_NOTE: info.conversion
      ? ' (converted from scikit-learn by ModelDock)'
      : info.zipMapRemoved
        ? ' (its ZipMap output bypassed, so probabilities come out as a tensor)'
        : '',
    TASK: info.task.replace('-', ' '),
    INPUTS_TABLE: inputsTable(info),
    OUTPUTS_TABLE: outputsTable(meaning),
    EXAMPLE_PAYLOAD: JSON.stringify(first.payload, null, 2),
    EXAMPLE_PAYLOAD_COMPACT: exampleShell,
    EXAMPLE_PAYLOAD_SHELL: shellSingleQuoted(exampleShell),
    EXAMPLE_RESPONSE: JSON.stringify(exampleResponse(first, modelRef), null, 2),
    PYTHON_PAYLOAD: pythonLiteral(first.payload),
    OIP_EXAMPLE_SHELL: shellSingleQuoted(JSON.stringify(oipExample(info, first.payload))),
    WARNINGS_NOTE: warnings,
  };
  for (const file of renderedFiles) {
    const template = await readFile(path.join(templateRoot, 'templates', file), 'utf8');
    await mkdir(path.dirname(path.join(root, file)), { recursive: true });
    await writeFile(path.join(root, file), renderTemplate(template, values));
    manifest.files[file] = {
      sha256: await sha256OfFile(path.join(root, file)),
      sizeBytes: (await stat(path.join(root, file))).size,
    };
  }
  await writeFile(path.join(root, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** The README mentions the sample's warnings (an unknown category, say) so nobody is surprised by them. */
function warningsNote(sample: BundleSample): string {
  const notes = sample.warnings;
  if (notes.length === 0) return '';
  const codes = new Set(notes.map((warning) => warning.code));
  const why = [
    codes.has('unknown-category')
      ? 'a category the model did not see in training counts as none of the known ones'
      : '',
    codes.has('coerced-value') ? 'a numeric string is read as a number' : '',
  ].filter(Boolean);
  return `\nThe \`warnings\` are the ones ModelDock showed for this payload: the row is still scored${why.length ? ` (${why.join('; ')})` : ''}.\n`;
}

/** SHA256SUMS in `sha256sum -c` format, for every file in the bundle. */
async function writeChecksums(root: string): Promise<string[]> {
  const files = await listFiles(root);
  const lines: string[] = [];
  for (const relative of files) lines.push(`${await sha256OfFile(path.join(root, relative))}  ${relative}`);
  await writeFile(path.join(root, 'SHA256SUMS'), `${lines.join('\n')}\n`);
  return [...files, 'SHA256SUMS'].sort();
}

/** Moves the finished staging folder (or its archive) into place; an existing target is replaced only with force. */
async function publish(
  staging: string,
  target: string,
  format: BundleFormat,
  name: string,
  options: ExportOptions,
): Promise<{ sizeBytes: number }> {
  const parent = path.dirname(target);
  const aside = path.join(parent, `.${path.basename(target)}.replaced-${randomBytes(4).toString('hex')}`);
  let built = staging;
  if (format !== 'dir') {
    built = stagedPath(target);
    if (format === 'zip') await writeZip(staging, name, built, options.signal);
    else await writeTarGz(staging, name, built);
  }
  try {
    throwIfCancelled(options.signal, cancelledMessage);
    const replacing = await exists(target);
    if (replacing && !options.force) {
      throw new AppError('output-exists', `${target} appeared while exporting; nothing was replaced.`, {
        path: target,
      });
    }
    if (replacing) await rename(target, aside);
    await rename(built, target);
    if (replacing) await rm(aside, { recursive: true, force: true });
  } finally {
    if (built !== staging) await rm(built, { force: true });
  }
  if (format !== 'dir') return { sizeBytes: (await stat(target)).size };
  let sizeBytes = 0;
  for (const relative of await listFiles(target)) sizeBytes += (await stat(path.join(target, relative))).size;
  return { sizeBytes };
}

function nextCommands(
  target: string,
  format: BundleFormat,
  name: string,
  version: string,
  sample: BundleSample,
): string[] {
  const slug = slugify(name);
  const image = `${slug}:${imageTag(version)}`;
  const folder = format === 'dir' ? target : path.join(path.dirname(target), name);
  const unpack =
    format === 'zip'
      ? [`cd "${path.dirname(target)}" && unzip "${path.basename(target)}"`]
      : format === 'tar.gz'
        ? [`cd "${path.dirname(target)}" && tar xzf "${path.basename(target)}"`]
        : [];
  return [
    ...unpack,
    `cd "${folder}"`,
    `docker build -t ${image} .`,
    `docker run --rm -p 8000:8000 ${image}`,
    `curl -s -X POST http://localhost:8000/predict -H 'Content-Type: application/json' -d '${shellSingleQuoted(JSON.stringify(sample.payload))}'`,
    'npm run smoke -- http://localhost:8000',
  ];
}
