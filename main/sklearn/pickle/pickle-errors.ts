import { AppError } from '../../errors.ts';
import { cantConvertYet, supportedClasses } from '../convert/convert-pipeline.ts';

/** The file would run code or breaks a safety limit. */
export function refused(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('refused-pickle', message, details);
}

/** The file is not a well-formed pickle (truncated, unknown instruction, inconsistent data). */
export function corrupt(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('corrupt-model', message, details);
}

/** Well-formed, but holds data ModelDock cannot represent (complex numbers, dates, old joblib layouts). */
export function unsupported(message: string, details?: Record<string, unknown>): AppError {
  return new AppError('unsupported-model', message, details);
}

/** joblib's load/dump/Parallel re-exported by old scikit-learn: they read other files, so they stay refused. */
const joblibReexport = /^sklearn\.(utils\._joblib|externals\.joblib)\./;

/**
 * An estimator class of a gradient-boosting library the reader does not load (XGBRanker,
 * LGBMClassifier, CatBoostClassifier): a legitimate model ModelDock can't convert yet. Only
 * CapWords classes count; a function such as `xgboost.core._load_lib` stays refused.
 */
const modelLibraryClass = /^(xgboost|lightgbm|catboost)(\.[a-z_][a-z0-9_]*)+\.[A-Z][A-Za-z0-9]*$/;

/**
 * Names a global the way Python spells it for people: "posix.system". A scikit-learn global the
 * allow-list does not take (a KD-tree's Cython helper, say) is refused just the same, never called,
 * but reported as an unsupported model: calling a neighbours model malicious would mislead.
 */
export function refusedGlobal(name: string, written: string): AppError {
  if (modelLibraryClass.test(name)) return cantConvertYet(name);
  if (name.startsWith('sklearn.') && !joblibReexport.test(name)) {
    return unsupported(
      `ModelDock cannot read this scikit-learn model: it uses ${name}, which ModelDock does not load. Supported: ${supportedClasses.join(', ')}.`,
      { global: name, written, supported: supportedClasses },
    );
  }
  return refused(`refused: the file calls ${name}, which is not model data`, { global: name, written });
}
