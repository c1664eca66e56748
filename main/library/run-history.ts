import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ModelInfo, RunRecord } from '../../shared/contract/index.ts';

/**
 * What a run record says about its input: name, size and SHA-256 of the file as it was scored, so
 * an analyst can tell later whether the file on disk is still the one.
 */
export async function describeInputFile(filePath: string): Promise<RunRecord['input']> {
  const resolved = path.resolve(filePath);
  const { size } = await fs.stat(resolved);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(resolved)) hash.update(chunk as Buffer);
  return { fileName: path.basename(resolved), path: resolved, sizeBytes: size, sha256: hash.digest('hex') };
}

export function runModel(
  info: ModelInfo,
  role: RunRecord['models'][number]['role'],
): RunRecord['models'][number] {
  return { role, fileName: info.file.fileName, path: info.file.path, sha256: info.file.sha256 };
}

/** The numbers, strings and nulls of an object's top level (the list shows these; the full result is kept apart). */
export function headlineFigures(values: Record<string, unknown>): RunRecord['metrics'] {
  const figures: RunRecord['metrics'] = {};
  for (const [key, value] of Object.entries(values)) {
    if (typeof value === 'number' || typeof value === 'string' || value === null) figures[key] = value;
  }
  return figures;
}
