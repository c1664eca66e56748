/**
 * Native xgboost model files (`save_model`): model.json, model.ubj and the legacy binary
 * format with its "binf" header. They hold exactly what a pickled Booster keeps as bytes, so
 * they are opened as one: an inert Booster record whose `handle` is the file, converted by the
 * same code (convert.ts) as a pickle from `xgb.train`.
 */
import { PyDict, PyObject } from '../pickle/py-values.ts';

const latin1 = new TextDecoder('latin1');

/** The JSON document opens with "learner" or "version" within its first keys; UBJSON with a length marker then one of them. */
const jsonStart = /^\s*\{\s*"(learner|version|Config|Model)"/;
const ubjsonStart = /^\{[iUIlL][\s\S]{1,8}?(learner|version|Config|Model)/;

/** Whether a file's first bytes are an xgboost model file (not a pickle). */
export function sniffXgboost(head: Uint8Array): boolean {
  const text = latin1.decode(head.subarray(0, 64));
  return text.startsWith('binf') || jsonStart.test(text) || ubjsonStart.test(text);
}

/** A Booster record around a native model file's bytes. */
export function boosterFromFile(bytes: Uint8Array): PyObject {
  const booster = new PyObject('xgboost.core.Booster');
  const state = new PyDict();
  state.set('handle', bytes);
  booster.state = state;
  return booster;
}
