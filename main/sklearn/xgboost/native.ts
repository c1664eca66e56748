/**
 * Native xgboost model files (`save_model`): model.json, model.ubj and the legacy binary
 * format with its "binf" header. They hold exactly what a pickled Booster keeps as bytes, so
 * they are opened as one: an inert Booster record whose `handle` is the file, converted by the
 * same code (convert.ts) as a pickle from `xgb.train`.
 */
import { PyDict, PyObject } from '../pickle/py-values.ts';

export { sniffXgboost } from './sniff.ts';

/** A Booster record around a native model file's bytes. */
export function boosterFromFile(bytes: Uint8Array): PyObject {
  const booster = new PyObject('xgboost.core.Booster');
  const state = new PyDict();
  state.set('handle', bytes);
  booster.state = state;
  return booster;
}
