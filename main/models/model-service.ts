// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads (see no-telemetry.ts).
import '../no-telemetry.ts';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { InferenceSession } from 'onnxruntime-node';
import type {
  ChecksumCheck,
  ModelFormat,
  ModelInfo,
  Prediction,
  PredictManyResult,
  PredictResult,
} from '../../shared/contract/index.ts';
import { AppError } from '../errors.ts';
import { checksumBytes, checksumFile, compareChecksum } from './checksums.ts';
import { maxOnnxBytes, readHead, statModelFile } from './model-file.ts';
import { convertAndPrepareSklearn, prepareOnnxOffThread, readerBudget, warmReader } from './model-reader.ts';
import { type CheckOptions, type CoercedRow, checkPayload } from './payload.ts';
import { type TensorLike, tensorToJson, toPredictions } from './predictions.ts';
import { createSessionOffThread, type ModelSession } from './session-host.ts';
import { describeHead, sniffLength, sniffModelFormat } from './sniff.ts';
import { firstRows, needsOneRowPerRun, rowsToFeeds } from './tensors.ts';

/** An open model: what the UI sees, the session every prediction reuses, and the bytes it runs. */
export interface LoadedModel {
  info: ModelInfo;
  session: ModelSession;
  /** The ONNX bytes actually run (ZipMap bypassed, or converted from scikit-learn); export writes these. */
  servedModelBytes: Uint8Array;
}

export interface OpenOptions {
  /** An MD5 or SHA-256 the file should have; a mismatch opens the model with checksumCheck.matches false. */
  expectedChecksum?: string;
  signal?: AbortSignal;
  onProgress?: (doneBytes: number, totalBytes: number) => void;
  /**
   * Files saved beside this one to combine with it into one pipeline: `dv.bin` with `model.bin`.
   * Whichever of them holds the model becomes the opened file; the others come before it.
   */
  companions?: readonly string[];
}

/** Session options for interactive use: single rows, so one thread avoids scheduling overhead. */
export const interactiveSessionOptions: InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  // onnxruntime prints its own colour-coded log lines (graph optimiser warnings and the like) on the
  // process's stderr, which is the user's terminal for the CLI and browser mode: 220 of 1,951 inspects of
  // ONNX's own test models printed them. Fatal only: a failure reaches the user as an error anyway.
  logSeverityLevel: 4,
};

/** Creates an onnxruntime session on this thread, turning its errors into a sentence about the file. */
async function createSession(bytes: Uint8Array, fileName: string): Promise<ModelSession> {
  try {
    return await InferenceSession.create(bytes, interactiveSessionOptions);
  } catch (error) {
    const reason = String((error as Error).message ?? error).split('\n')[0];
    throw new AppError('unsupported-model', `onnxruntime cannot load ${fileName}: ${reason}`, { reason });
  }
}

/**
 * ONNX bytes from which a model's session is created and run in a worker thread (session-host.ts)
 * rather than on the thread that answers calls. onnxruntime-node creates a session synchronously, at
 * up to ~0.05 s per MB (a tree ensemble's ~14 bytes per node at ~0.7 s per million nodes), so below
 * this the stall is under ~0.2 s, and a single prediction stays in-process: p50 0.06 ms instead of
 * 0.25 ms and p99 0.3 ms instead of 1.7 ms through the worker (the sample model, 2 shared cores).
 */
export const sessionWorkerFromBytes = 4 * 2 ** 20;

/**
 * Opens model files (ONNX, or scikit-learn converted on the fly), keeps one onnxruntime session
 * per open model, and predicts. Holds no UI state; the CLI, the browser host and Electron share it.
 */
export class ModelService {
  private readonly models = new Map<string, LoadedModel>();
  private readonly dataDir: string;
  private readonly sessionWorkerFromBytes: number;

  /** `sessionWorkerFromBytes`: tests pass 0 to run every model's session in a worker. */
  constructor(options: { dataDir: string; sessionWorkerFromBytes?: number }) {
    this.dataDir = options.dataDir;
    this.sessionWorkerFromBytes = options.sessionWorkerFromBytes ?? sessionWorkerFromBytes;
  }

  async open(filePath: string, options: OpenOptions = {}): Promise<ModelInfo> {
    const started = performance.now();
    warmReader(); // starts while the file is checked and hashed
    const resolved = path.resolve(filePath);
    const fileName = path.basename(resolved);
    const size = await statModelFile(resolved);
    // Decide by content before reading the whole file: a 1 GB file of zeros is refused at once.
    const head = await readHead(resolved, sniffLength);
    const format = sniffModelFormat(head);
    if (!format) {
      throw new AppError(
        'unsupported-format',
        `${fileName} is not a model file ModelDock can read (ONNX, a scikit-learn pickle or joblib file, or an XGBoost model file): ${describeHead(head)}.`,
        { path: resolved },
      );
    }
    const companions = await this.checkCompanions(format, fileName, options.companions ?? []);
    const prepared =
      format === 'onnx'
        ? await this.readOnnx(resolved, fileName, size, options)
        : await this.readSklearn(resolved, fileName, format, options, companions);
    // onnxruntime creates sessions synchronously: a large model's session lives in a worker of its own.
    const session =
      prepared.servedBytes.length >= this.sessionWorkerFromBytes
        ? await createSessionOffThread(prepared.servedBytes, fileName, {
            sessionOptions: interactiveSessionOptions,
            seconds: readerBudget.seconds,
            signal: options.signal,
          })
        : await createSession(prepared.servedBytes, fileName);
    if (options.signal?.aborted) {
      await session.release();
      throw new AppError('cancelled', 'Opening the model was cancelled.');
    }
    const { inspection } = prepared;
    const info: ModelInfo = {
      modelId: `model-${randomUUID()}`,
      format: prepared.format ?? format,
      file: prepared.file ?? { path: resolved, fileName, ...prepared.checksums },
      inputs: inspection.inputs,
      outputs: inspection.outputs,
      task: inspection.task,
      metadata: inspection.metadata,
      zipMapRemoved: prepared.zipMapRemoved,
      loadMs: 0,
    };
    if (inspection.classLabels) info.classLabels = inspection.classLabels;
    if (inspection.positiveClass !== undefined) info.positiveClass = inspection.positiveClass;
    if (prepared.conversion) info.conversion = prepared.conversion;
    if (options.expectedChecksum)
      info.checksumCheck = compareChecksum(options.expectedChecksum, prepared.checksums);
    await warmUp(info, session);
    info.loadMs = performance.now() - started;
    this.models.set(info.modelId, { info, session, servedModelBytes: prepared.servedBytes });
    return info;
  }

  private async readOnnx(filePath: string, fileName: string, size: number, options: OpenOptions) {
    if (size > maxOnnxBytes) {
      throw new AppError(
        'file-too-large',
        `${fileName} is larger than 2 GB, the most an ONNX file can hold.`,
      );
    }
    const { bytes, ...checksums } = await checksumFile(filePath, {
      keepBytes: true,
      signal: options.signal,
      onProgress: options.onProgress,
    });
    // Untrusted bytes: decoded and inspected in the reader worker, under its memory and time budget.
    const prepared = await prepareOnnxOffThread(bytes!, fileName, { signal: options.signal });
    return { ...prepared, checksums, conversion: undefined, format: undefined, file: undefined };
  }

  /** Companion files must be pickles, joblib or XGBoost files: an ONNX graph cannot take another step. */
  private async checkCompanions(format: ModelFormat, fileName: string, companions: readonly string[]) {
    const checked: { path: string; fileName: string; format: ModelFormat }[] = [];
    for (const companion of companions) {
      const resolved = path.resolve(companion);
      await statModelFile(resolved);
      const companionFormat = sniffModelFormat(await readHead(resolved, sniffLength));
      const name = path.basename(resolved);
      if (format === 'onnx' || companionFormat === 'onnx' || companionFormat === null) {
        throw new AppError(
          'unsupported-format',
          `ModelDock combines scikit-learn pickle/joblib and XGBoost files only; ${format === 'onnx' ? fileName : name} is ${format === 'onnx' || companionFormat === 'onnx' ? 'an ONNX model' : 'not a model file'}.`,
        );
      }
      checked.push({ path: resolved, fileName: name, format: companionFormat });
    }
    return checked;
  }

  private async readSklearn(
    filePath: string,
    fileName: string,
    format: ModelFormat,
    options: OpenOptions,
    companions: { path: string; fileName: string; format: ModelFormat }[] = [],
  ) {
    const checksums = await checksumFile(filePath, {
      signal: options.signal,
      onProgress: options.onProgress,
    });
    const files = [{ path: filePath, fileName, format, checksums }];
    for (const companion of companions) {
      files.push({ ...companion, checksums: await checksumFile(companion.path, { signal: options.signal }) });
    }
    // Several files convert to one model, cached under a key made of all their checksums.
    const key =
      files.length === 1
        ? checksums.sha256
        : checksumBytes(new TextEncoder().encode(files.map((file) => file.checksums.sha256).join('+')))
            .sha256;
    // Converted, decoded and inspected in the reader worker, under its budget.
    const converted = await convertAndPrepareSklearn(
      files.length === 1 ? filePath : files.map((file) => file.path),
      { dataDir: this.dataDir, sha256: key, signal: options.signal, fileName },
    );
    const modelFile = files[converted.modelFileIndex ?? 0]!;
    const { prepared } = converted;
    const conversion: NonNullable<ModelInfo['conversion']> = {
      from: modelFile.format === 'xgboost' ? 'xgboost' : 'scikit-learn',
      steps: converted.steps,
      convertedPath: converted.convertedPath,
      convertedSha256: converted.onnxSha256,
    };
    if (converted.sklearnVersion) conversion.sklearnVersion = converted.sklearnVersion;
    if (files.length > 1) {
      conversion.combinedWith = files
        .filter((file) => file !== modelFile)
        .map((file) => ({ path: file.path, fileName: file.fileName, sha256: file.checksums.sha256 }));
    }
    return {
      ...prepared,
      checksums: modelFile.checksums,
      conversion,
      format: modelFile.format,
      file: { path: modelFile.path, fileName: modelFile.fileName, ...modelFile.checksums },
    };
  }

  async close(modelId: string): Promise<boolean> {
    const model = this.models.get(modelId);
    if (!model) return false;
    this.models.delete(modelId);
    await model.session.release();
    return true;
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.models.keys()].map((modelId) => this.close(modelId)));
  }

  list(): ModelInfo[] {
    return [...this.models.values()].map((model) => model.info);
  }

  get(modelId: string): LoadedModel {
    const model = this.models.get(modelId);
    if (!model)
      throw new AppError('model-not-open', 'That model is not open (it may have been closed).', { modelId });
    return model;
  }

  /**
   * Compares an MD5 or SHA-256 with the open model's file, and records the result on its ModelInfo;
   * null forgets the expected checksum (export then has nothing to refuse on).
   */
  verifyChecksum(modelId: string, expected: string | null): ChecksumCheck | null {
    const model = this.get(modelId);
    if (expected === null) {
      delete model.info.checksumCheck;
      return null;
    }
    const check = compareChecksum(expected, model.info.file);
    model.info.checksumCheck = check;
    return check;
  }

  /**
   * Validates the payload, runs the session, and reads the outputs as predictions. Fields that are not
   * inputs are ignored with a warning unless `options.unknownFields` is `refuse` (payload.ts has the rule).
   */
  async predict(
    modelId: string,
    payload: unknown,
    options: CheckOptions = {},
  ): Promise<PredictResult | PredictManyResult> {
    const started = performance.now();
    const { info, session } = this.get(modelId);
    const check = checkPayload(info.inputs, payload, options);
    if (!check.ok) throw new AppError('invalid-payload', check.message, { issues: check.issues });
    const batches = needsOneRowPerRun(info.inputs) ? check.rows.map((row) => [row]) : [check.rows];
    const predictions: Prediction[] = [];
    let outputs: Record<string, TensorLike> = {};
    for (const rows of batches) {
      outputs = await runSession(info, session, rows);
      predictions.push(...toPredictions(info, outputs, rows.length));
    }
    const latencyMs = performance.now() - started;
    if (check.many) return { predictions, warnings: check.warnings, latencyMs };
    const rawOutputs = Object.fromEntries(
      Object.entries(outputs).map(([name, tensor]) => [name, tensorToJson(tensor)]),
    );
    return { ...predictions[0]!, outputs: rawOutputs, warnings: check.warnings, latencyMs };
  }
}

/**
 * Runs a new session once on a made-up row (a category the model knows or "", 0, false) while the model
 * opens, so the first real prediction doesn't pay onnxruntime's first-run setup (kernel choice, buffer
 * allocation) and is as fast as the rest. A model that refuses that row still opens: the row means
 * nothing about real payloads.
 */
async function warmUp(info: ModelInfo, session: ModelSession): Promise<void> {
  const row: CoercedRow = Object.fromEntries(
    info.inputs.map((input) => [
      input.name,
      Array.from({ length: input.width }, () =>
        input.kind === 'numeric' ? 0 : input.kind === 'bool' ? false : (input.categories?.[0] ?? ''),
      ),
    ]),
  );
  await runSession(info, session, [row]).catch(() => undefined);
}

/** Runs the session on coerced rows, fetching only tensor outputs (a kept non-tensor output cannot be returned). */
async function runSession(info: ModelInfo, session: ModelSession, rows: CoercedRow[]) {
  const fetches = info.outputs.filter((output) => output.type !== 'unknown').map((output) => output.name);
  try {
    const outputs = (await session.run(rowsToFeeds(info.inputs, rows), fetches)) as Record<
      string,
      TensorLike
    >;
    return firstRows(outputs, info.inputs, rows.length);
  } catch (error) {
    const reason = String((error as Error).message ?? error).split('\n')[0];
    throw new AppError('invalid-payload', `The model could not score this payload: ${reason}`, { reason });
  }
}
