/**
 * Which globals a pickle may name. Python's unpickler imports and calls whatever a file
 * names; ModelDock never imports or calls anything. A global is only *recorded*, and the
 * reader gives meaning to a small fixed set of reconstructors (see reconstructors.ts).
 * Still, the allow-list is closed: a file naming anything else is refused, so a model
 * that smuggles in `posix.system` is rejected rather than loaded with a harmless-looking hole.
 */

import { PY2_IMPORT_MAPPING, PY2_NAME_MAPPING } from './py2-names.ts';

export type GlobalKind =
  /** A data reconstructor the reader implements itself (numpy arrays, sets, bytes…). */
  | 'reconstructor'
  /** A class whose instances are recorded as inert PyObjects (scikit-learn estimators). */
  | 'class'
  /** A type that is only referenced as a value (`dtype=np.float64`), never called. */
  | 'type';

export interface AllowedGlobal {
  /** Python 3 spelling: "builtins.set", "numpy.core.multiarray._reconstruct". */
  name: string;
  kind: GlobalKind;
  /** For classes: the class name recorded on the PyObject (differs for Cython unpicklers). */
  className?: string;
}

export const RECONSTRUCTORS = new Set([
  'copyreg._reconstructor',
  'copyreg.__newobj__',
  'copyreg.__newobj_ex__',
  '_codecs.encode',
  'builtins.set',
  'builtins.frozenset',
  'builtins.bytearray',
  'builtins.bytes',
  'builtins.slice',
  'collections.OrderedDict',
  'collections.defaultdict',
  'numpy.dtype',
  'numpy.core.multiarray._reconstruct',
  'numpy._core.multiarray._reconstruct',
  'numpy.core.multiarray.scalar',
  'numpy._core.multiarray.scalar',
  'numpy.core.numeric._frombuffer',
  'numpy._core.numeric._frombuffer',
]);

const NUMPY_SCALAR_TYPES = [
  'float64',
  'float32',
  'float16',
  'double',
  'single',
  'half',
  'longdouble',
  'int64',
  'int32',
  'int16',
  'int8',
  'intc',
  'intp',
  'longlong',
  'uint64',
  'uint32',
  'uint16',
  'uint8',
  'uintc',
  'uintp',
  'ulonglong',
  'bool_',
  'bool',
  'object_',
  'str_',
  'bytes_',
  'complex128',
  'complex64',
  'datetime64',
  'timedelta64',
  'ndarray',
  'matrix',
  'number',
  'integer',
  'floating',
  'generic',
];

export const TYPES = new Set([
  ...['object', 'int', 'float', 'str', 'bytes', 'list', 'dict', 'tuple', 'bool', 'complex', 'type'].map(
    (t) => `builtins.${t}`,
  ),
  ...NUMPY_SCALAR_TYPES.map((t) => `numpy.${t}`),
]);

const SPECIFIC_CLASSES = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
  // numpy.random state objects (random_state=np.random.RandomState(0) in a model's params).
  'numpy.random._pickle.__randomstate_ctor',
  'numpy.random._pickle.__generator_ctor',
  'numpy.random._pickle.__bit_generator_ctor',
  // XGBoost (issue 14): the model is bytes in the Booster's state, read by main/sklearn/xgboost/.
  'xgboost.core.Booster',
  'xgboost.sklearn.XGBClassifier',
  'xgboost.sklearn.XGBRegressor',
  // XGBClassifier's `_le` in xgboost 1.0–1.5 (use_label_encoder=True): a LabelEncoder subclass.
  'xgboost.compat.XGBoostLabelEncoder',
]);

/** joblib < 0.10 kept arrays in side files next to the pickle; there is nothing to read here. */
export const LEGACY_JOBLIB_WRAPPERS = new Set([
  'joblib.numpy_pickle_compat.NDArrayWrapper',
  'joblib.numpy_pickle_compat.ZNDArrayWrapper',
  'joblib.numpy_pickle.NDArrayWrapper',
  'joblib.numpy_pickle.ZNDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NDArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.ZNDArrayWrapper',
]);

const MODULE_PART = /^[a-z][a-z0-9_]*$|^_[a-z0-9][a-z0-9_]*$/;
/** CapWords, optionally private: LogisticRegression, _BinMapper, CyHalfBinomialLoss. */
const CLASS_NAME = /^_?[A-Z][A-Za-z0-9_]*$/;
const CYTHON_UNPICKLER = /^__pyx_unpickle_(_?[A-Z][A-Za-z0-9_]*)$/;
const SCIPY_SPARSE = /^scipy\.sparse(\.[a-z_]+)?\.(csr|csc|coo|lil|dok|bsr|dia)_(matrix|array)$/;

function isModulePath(module: string, root: string): boolean {
  const parts = module.split('.');
  return parts[0] === root && parts.length >= 2 && parts.slice(1).every((p) => MODULE_PART.test(p));
}

/** The Python 3 spelling of a global as Python's unpickler would resolve it: "builtins.eval". */
export function normalizeGlobal(module: string, name: string): string {
  return PY2_NAME_MAPPING[`${module}.${name}`] ?? `${PY2_IMPORT_MAPPING[module] ?? module}.${name}`;
}

/**
 * Classifies `module.name`; undefined means refused. scikit-learn classes are allowed by
 * shape (`sklearn.<lowercase modules>.<CapWordsClass>`) rather than by a list, so models
 * from other scikit-learn versions load; they are never instantiated, only recorded.
 */
export function classifyGlobal(rawModule: string, rawName: string): AllowedGlobal | undefined {
  const full = normalizeGlobal(rawModule, rawName);
  const dot = full.lastIndexOf('.');
  const module = full.slice(0, dot);
  const name = full.slice(dot + 1);
  if (RECONSTRUCTORS.has(full)) return { name: full, kind: 'reconstructor' };
  if (TYPES.has(full)) return { name: full, kind: 'type' };
  if (SPECIFIC_CLASSES.has(full)) return { name: full, kind: 'class', className: full };
  if (isModulePath(module, 'sklearn')) {
    if (CLASS_NAME.test(name)) return { name: full, kind: 'class', className: full };
    const cython = CYTHON_UNPICKLER.exec(name);
    if (cython) return { name: full, kind: 'class', className: `${module}.${cython[1]}` };
  }
  if (isModulePath(module, 'numpy') && module.startsWith('numpy.random.') && CLASS_NAME.test(name)) {
    return { name: full, kind: 'class', className: full };
  }
  if (SCIPY_SPARSE.test(full)) return { name: full, kind: 'class', className: full };
  return undefined;
}
