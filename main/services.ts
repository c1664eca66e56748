import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { AnalysisService } from './analysis/analysis-service.ts';
import { ExplainService } from './analysis/explain-service.ts';
import { ExportService } from './export/export-service.ts';
import { LibraryService } from './library/library-service.ts';
import { type AppLog, createAppLog, logOptionsFor } from './logging/app-log.ts';
import { keepReaderWarm } from './models/model-reader.ts';
import { ModelService } from './models/model-service.ts';
import { OperationRegistry } from './operations.ts';
import { ScoringService } from './scoring/scoring-service.ts';

const require = createRequire(import.meta.url);

export interface AppServicesOptions {
  /** Where ModelDock keeps converted models, uploads and its library. */
  dataDir?: string;
  mode: 'electron' | 'browser' | 'cli';
  electronVersion?: string;
  /** The process's logger when its host made one already; otherwise one is made here (logOptions). */
  log?: AppLog;
  /** The desktop app's log folder (`app.getPath('logs')`). */
  logDir?: string;
  /** The CLI's --verbose: every line and the stacks of unexpected errors on stderr. */
  verbose?: boolean;
}

/** Default data directory; Electron passes app.getPath('userData') instead. */
export function defaultDataDir(): string {
  if (process.env.MODELDOCK_DATA_DIR) return process.env.MODELDOCK_DATA_DIR;
  const base = process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share');
  return path.join(base, 'modeldock');
}

export function readPackageVersion(name: string): string {
  try {
    return (require(`${name}/package.json`) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Everything the handler table needs, built once per process (Electron, browser host, CLI, tests). */
export function createAppServices(options: AppServicesOptions) {
  const dataDir = options.dataDir || defaultDataDir(); // an empty string must not mean the current folder
  // The one logger of the process, passed to the services that log.
  const log =
    options.log ??
    createAppLog(
      logOptionsFor(options.mode, {
        logDir: options.logDir ?? path.join(dataDir, 'logs'),
        verbose: options.verbose,
      }),
    );
  const models = new ModelService({ dataDir });
  // The app and browser mode open model after model: a reader worker is always ready (~0.1 s saved per open).
  if (options.mode !== 'cli') keepReaderWarm();
  const operations = new OperationRegistry();
  const scoring = new ScoringService(models, {
    log,
    // The results table may also page the outputs of runs kept in the history (earlier launches, the CLI).
    earlierOutputs: async () => (await library.listRuns()).flatMap((run) => Object.values(run.outputs)),
  });
  const library = new LibraryService({
    dataDir,
    models,
    profileCsv: (modelId, csvPath, signal) => scoring.profile({ modelId, path: csvPath }, { signal }),
  });
  const analysis = new AnalysisService({ models, scoring, references: library });
  const explainer = new ExplainService({ models, library });
  const exporter = new ExportService({
    models,
    goldenSamples: library,
    driftReferences: library,
    backgrounds: explainer,
  });
  return {
    dataDir,
    log,
    models,
    operations,
    library,
    scoring,
    analysis,
    explainer,
    exporter,
    appInfo: async () => ({
      version: (require('../package.json') as { version: string }).version,
      node: process.versions.node,
      onnxruntime: readPackageVersion('onnxruntime-node'),
      electron: options.electronVersion,
      mode: options.mode,
      dataDir,
    }),
    async dispose() {
      await models.closeAll();
      // A host's own logger outlives the services; one made here ends with them.
      if (!options.log) await log.close();
    },
  };
}

export type AppServices = ReturnType<typeof createAppServices>;
