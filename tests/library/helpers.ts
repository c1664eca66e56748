import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AnalysisService } from '../../main/analysis/analysis-service.ts';
import { LibraryService } from '../../main/library/library-service.ts';
import { ModelService } from '../../main/models/model-service.ts';
import { ScoringService } from '../../main/scoring/scoring-service.ts';

export const repo = path.resolve(import.meta.dirname, '..', '..');
export const sampleModel = path.join(repo, 'assets', 'models', 'lead_scoring.onnx');
export const v2Model = path.join(repo, 'tests', 'fixtures', 'library', 'lead_scoring_v2.onnx');
export const leadCsv = path.join(repo, 'assets', 'data', 'course_lead_scoring.csv');
export const versionsJson = path.join(repo, 'tests', 'fixtures', 'library', 'lead_scoring_versions.json');

const made: string[] = [];

export async function tempDir(prefix = 'modeldock-library-'): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir made (call from afterAll). */
export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
}

/** A model service, the batch engine, a library and the analyses over one data directory, as createAppServices builds them. */
export function createLibrary(dataDir: string, now?: () => Date) {
  const models = new ModelService({ dataDir });
  const scoring = new ScoringService(models);
  const library = new LibraryService({
    dataDir,
    models,
    now,
    profileCsv: (modelId, csvPath, signal) => scoring.profile({ modelId, path: csvPath }, { signal }),
  });
  const analysis = new AnalysisService({ models, scoring, references: library });
  return { models, library, scoring, analysis };
}

export async function writeCsv(dir: string, name: string, lines: string[]): Promise<string> {
  const file = path.join(dir, name);
  await fs.writeFile(file, `${lines.join('\n')}\n`);
  return file;
}
