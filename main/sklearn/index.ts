/**
 * scikit-learn files → ONNX: the safe pickle reader builds inert values, the converter turns
 * them into an ONNX graph, and the result is kept in the app's data directory under the
 * source file's SHA-256 so reopening the same file skips the work. The user's file is only read.
 */
import { mkdir, open, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import onnxProto from 'onnx-proto';
import { AppError, isAppError, throwIfCancelled } from '../errors.ts';
import { writeFileStaged } from '../files/staged-write.ts';
import { holdsOnlyTransformers } from './convert/convert-pipeline.ts';
import { conversionMetadataKeys, convertSklearnValue } from './convert/index.ts';
import { defaultLimits, loadPickleFile, PyTuple, type PyValue } from './pickle/index.ts';
import { boosterFromFile, sniffXgboost } from './xgboost/native.ts';

export { conversionMetadataKeys, convertSklearnValue, supportedClasses } from './convert/index.ts';

const { onnx } = onnxProto;

/**
 * Bumped whenever the converter's output changes, so models converted by an older
 * ModelDock are converted again instead of reused — and whenever the reader refuses files it used to
 * accept, so a cached conversion can't open (or export) a file the reader now refuses.
 */
// 2: records modeldock.optional_inputs; 3: bytes after STOP, frame divergence, laughs and declared sizes refused;
// 4: XGBoost after a sparse OneHotEncoder/ColumnTransformer reads zeros as missing
export const CONVERTER_VERSION = '4';
const converterVersionKey = 'modeldock.converter_version';

export interface SklearnConversion {
  onnxBytes: Uint8Array;
  convertedPath: string;
  sklearnVersion?: string;
  steps: string[];
  /** For several files: which one holds the model (the others hold transformers placed before it). */
  modelFileIndex?: number;
}

/** A converted model already on disk for this source, from this converter version, if readable. */
async function reuseConverted(path: string, sha256: string): Promise<SklearnConversion | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
  try {
    const model = onnx.ModelProto.decode(bytes);
    const props = new Map((model.metadataProps ?? []).map((entry) => [entry.key, entry.value]));
    if (props.get(conversionMetadataKeys.sourceSha256) !== sha256) return undefined;
    if (props.get(converterVersionKey) !== CONVERTER_VERSION) return undefined;
    if (!model.graph?.output?.length) return undefined;
    const steps: unknown = JSON.parse(props.get(conversionMetadataKeys.steps) ?? 'null');
    if (!Array.isArray(steps) || !steps.every((step) => typeof step === 'string')) return undefined;
    const sklearnVersion = props.get(conversionMetadataKeys.sklearnVersion);
    return { onnxBytes: bytes, convertedPath: path, steps, ...(sklearnVersion ? { sklearnVersion } : {}) };
  } catch {
    return undefined; // a damaged cache file is simply converted again
  }
}

/**
 * A model file as inert values: a pickle/joblib file through the safe reader, or a native
 * xgboost model file (model.json / model.ubj / binary) as the Booster record a pickle would give.
 */
export async function loadModelValue(filePath: string): Promise<PyValue> {
  const handle = await open(filePath, 'r');
  let head: Uint8Array;
  try {
    const buffer = new Uint8Array(64);
    const { bytesRead } = await handle.read(buffer, 0, 64, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (sniffXgboost(head)) {
    const size = (await stat(filePath)).size;
    if (size > defaultLimits.maxFileBytes) {
      throw new AppError(
        'file-too-large',
        `This XGBoost model file is ${Math.ceil(size / 2 ** 20)} MB, more than the ${Math.round(defaultLimits.maxFileBytes / 2 ** 20)} MB limit for one model.`,
      );
    }
    return boosterFromFile(new Uint8Array(await readFile(filePath)));
  }
  return loadPickleFile(filePath);
}

/**
 * Several files saved side by side (the course's `dv.bin` and `model.bin`) as one pipeline:
 * the files that hold only transformers, in the order given, then the one file with a model.
 */
async function loadCombined(
  filePaths: readonly string[],
): Promise<{ value: PyValue; modelFileIndex: number }> {
  const values: PyValue[] = [];
  for (const filePath of filePaths) values.push(await loadModelValue(filePath));
  const withModel = values.flatMap((value, index) => (holdsOnlyTransformers(value) ? [] : [index]));
  if (withModel.length !== 1) {
    const names = withModel.map((index) => basename(filePaths[index]!)).join(', ');
    throw new AppError(
      'unsupported-model',
      withModel.length === 0
        ? 'None of these files holds a model, only transformers: add the model file saved beside them.'
        : `Only one of the files may hold a model, but ${names} each hold one: give one model file and the transformer files saved beside it.`,
    );
  }
  const model = values[withModel[0]!]!;
  return {
    value: new PyTuple([...values.filter((value) => value !== model), model]),
    modelFileIndex: withModel[0]!,
  };
}

/**
 * Reads a scikit-learn pickle/joblib file without running code, converts it to ONNX and
 * stores it as `<dataDir>/converted/<sha256>.onnx` (written to a temp name, then renamed).
 */
export async function convertSklearnFile(
  filePath: string | readonly string[],
  options: { dataDir: string; sha256: string; signal?: AbortSignal },
): Promise<SklearnConversion> {
  const directory = join(options.dataDir, 'converted');
  const convertedPath = join(directory, `${options.sha256}.onnx`);
  throwIfCancelled(options.signal);
  const cached = await reuseConverted(convertedPath, options.sha256);
  // Combined files are read again to learn which holds the model (cheap next to converting).
  if (cached && typeof filePath === 'string') return cached;
  const combined = typeof filePath === 'string' ? undefined : await loadCombined(filePath);
  if (cached && combined) return { ...cached, modelFileIndex: combined.modelFileIndex };
  const value = combined ? combined.value : await loadModelValue(filePath as string);
  throwIfCancelled(options.signal);
  let converted: ReturnType<typeof convertSklearnValue>;
  try {
    converted = convertSklearnValue(value, {
      sourceSha256: options.sha256,
      extraMetadata: { [converterVersionKey]: CONVERTER_VERSION },
    });
  } catch (error) {
    if (isAppError(error)) throw error;
    // A structure the converter did not expect: the file is not a model it can read.
    throw new AppError(
      'corrupt-model',
      'ModelDock could not read the scikit-learn model in this file: its contents are not laid out as a fitted model.',
      { reason: error instanceof Error ? error.message : String(error) },
    );
  }
  throwIfCancelled(options.signal);
  await mkdir(directory, { recursive: true });
  await writeFileStaged(convertedPath, converted.onnxBytes);
  return {
    onnxBytes: converted.onnxBytes,
    convertedPath,
    steps: converted.steps,
    ...(converted.sklearnVersion ? { sklearnVersion: converted.sklearnVersion } : {}),
    ...(combined ? { modelFileIndex: combined.modelFileIndex } : {}),
  };
}
