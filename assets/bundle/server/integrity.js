// At start the service checks the files it serves against manifest.json and SHA256SUMS: a model that
// was changed, truncated or swapped after export must not answer requests in its name. The model is
// read once, and the bytes whose SHA-256 was checked are the bytes loaded.
import { createHash } from 'node:crypto';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function sha256File(file) {
  return sha256(await readFile(file));
}

/** SHA256SUMS (`sha256sum` format) as path → hash; empty when the file is missing. */
async function readSums(root) {
  let text;
  try {
    text = await readFile(path.join(root, 'SHA256SUMS'), 'utf8');
  } catch {
    return new Map();
  }
  const sums = new Map();
  for (const line of text.split('\n')) {
    const match = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
    if (match) sums.set(match[2], match[1]);
  }
  return sums;
}

/** Every file under model/ listed in the manifest; returns the mismatches (empty when all match). */
export async function verifyModelFiles(root, manifest) {
  const problems = [];
  for (const [relative, entry] of Object.entries(manifest.files)) {
    if (!relative.startsWith('model/')) continue;
    let actual;
    try {
      actual = await sha256File(path.join(root, relative));
    } catch (error) {
      problems.push({
        file: relative,
        expected: entry.sha256,
        actual: null,
        reason: error.code ?? String(error),
      });
      continue;
    }
    if (actual !== entry.sha256)
      problems.push({ file: relative, expected: entry.sha256, actual, reason: 'sha256 mismatch' });
  }
  return problems;
}

/**
 * The bytes of the model to serve: `model.path` must name a file inside model/ (no "..", no absolute
 * path, no link leading out), whose SHA-256 manifest.json (model.sha256 and its files list) and
 * SHA256SUMS agree on, and which has that SHA-256. Returns {bytes} or {problem}.
 */
export async function readServedModel(root, manifest) {
  const relative = manifest.model?.path;
  const expected = manifest.model?.sha256;
  const refuse = (reason, actual = null) => ({
    problem: { file: String(relative), expected, actual, reason },
  });
  if (
    typeof relative !== 'string' ||
    !relative.startsWith('model/') ||
    relative.includes('\\') ||
    path.posix.normalize(relative) !== relative
  ) {
    return refuse('model.path must name a file inside model/ (no "..", no absolute path)');
  }
  if (manifest.files?.[relative]?.sha256 !== expected) {
    return refuse(`manifest.json lists ${relative} with another SHA-256 than model.sha256`);
  }
  const sums = await readSums(root);
  if (sums.get(relative) !== expected) {
    return refuse(`SHA256SUMS does not list ${relative} with the SHA-256 of manifest.json`);
  }
  let bytes;
  try {
    const modelDir = await realpath(path.join(root, 'model'));
    const real = await realpath(path.join(root, relative));
    if (!real.startsWith(`${modelDir}${path.sep}`))
      return refuse(`${relative} is a link to a file outside model/`);
    bytes = await readFile(real);
  } catch (error) {
    return refuse(error.code ?? String(error));
  }
  const actual = sha256(bytes);
  if (actual !== expected) return refuse('sha256 mismatch', actual);
  return { bytes };
}

/**
 * A file of the bundle that manifest.json lists, read once and checked against the listed SHA-256
 * (the drift profile, say). Returns {bytes} or {problem}.
 */
export async function readListedFile(root, manifest, relative) {
  const expected = manifest.files?.[relative]?.sha256;
  const refuse = (reason, actual = null) => ({ problem: { file: relative, expected, actual, reason } });
  if (!expected) return refuse('manifest.json does not list it');
  let bytes;
  try {
    bytes = await readFile(path.join(root, relative));
  } catch (error) {
    return refuse(error.code ?? String(error));
  }
  const actual = sha256(bytes);
  if (actual !== expected) return refuse('sha256 mismatch', actual);
  return { bytes };
}
