/**
 * Recognises a native xgboost model file (`save_model`) by its first bytes: model.json
 * (JSON text), model.ubj (UBJSON) or the legacy binary format with its "binf" header.
 * Dependency-free so the format sniffer (main/models/sniff.ts) can use it without loading
 * the converter.
 */
const latin1 = new TextDecoder('latin1');

/** A model document opens with one of these keys (a pickle snapshot with Config/Model). */
const jsonStart = /^\s*\{\s*"(learner|version|Config|Model)"/;
/** UBJSON: "{", a length marker and its bytes, then the same key. */
const ubjsonStart = /^\{[iUIlL][\s\S]{1,8}?(learner|version|Config|Model)/;

export function sniffXgboost(head: Uint8Array): boolean {
  const text = latin1.decode(head.subarray(0, 64));
  return text.startsWith('binf') || jsonStart.test(text) || ubjsonStart.test(text);
}
