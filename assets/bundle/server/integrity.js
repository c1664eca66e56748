// At start the service checks the files it serves against manifest.json: a model that was changed,
// truncated or swapped after export must not answer requests in its name.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export async function sha256File(file) {
  return createHash('sha256')
    .update(await readFile(file))
    .digest('hex');
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
