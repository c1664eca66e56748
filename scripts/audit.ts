// `npm run audit:electron`: Electronegativity over main/ and renderer/, offline and deterministic.
// Exit 0 when every finding is accepted in .electronegativity.json (each with its reason), 1 otherwise.
//
// Equivalent to `npx electronegativity -i <dir> -e <electron version> -x <excluded checks>`, run through
// its programmatic API instead of the CLI because:
// - main/ and renderer/ are scanned as one app: the global checks (navigation limits, permission handler,
//   CSP) need main's code and the renderer's HTML together, and the CLI takes a single input;
// - the CLI fetches translations and Electron's release list from the network on every run; both are
//   replaced by offline stand-ins here, and the Electron version is the one installed (node_modules/electron);
// - its TypeScript fallback parser (@typescript-eslint/typescript-estree) must get the TypeScript 4 that
//   Electronegativity ships, not the project's TypeScript 7, whose JavaScript API it can't load.
import fs from 'node:fs';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const require = createRequire(import.meta.url);

export interface ExcludedCheck {
  check: string;
  reason: string;
}
export interface AcceptedFinding {
  check: string;
  /** Repository-relative path of the file the finding is reported in ("N/A" for app-wide findings). */
  file: string;
  reason: string;
}
export interface AuditConfig {
  inputs: string[];
  excludedChecks: ExcludedCheck[];
  acceptedFindings: AcceptedFinding[];
}

export interface Finding {
  check: string;
  file: string;
  line: number;
  column: number;
  severity: string;
  confidence: string;
  description: string;
  sample?: string;
  manualReview: boolean;
}

export interface AuditResult {
  electronVersion: string;
  electronegativityVersion: string;
  filesScanned: number;
  checksRun: number;
  /** Findings not covered by an accepted finding: these fail the audit. */
  findings: Finding[];
  accepted: Array<Finding & { reason: string }>;
  /** Accepted findings that no longer occur: the configuration can be trimmed. */
  unusedAcceptances: AcceptedFinding[];
  /** Files Electronegativity could not parse, so did not check: these fail the audit too. */
  parseErrors: Array<{ file: string; message: string }>;
}

/** The shape of Electronegativity's programmatic runner (dist/runner.js), as far as we use it. */
interface RawIssue {
  id: string;
  file: string;
  location: { line: number; column: number };
  description: string;
  sample?: string;
  severity: { name: string };
  confidence: { name: string };
  manualReview: boolean;
}
type Runner = (
  options: {
    input: string;
    electronVersionOverride: string;
    excludeFromScan: string[];
    customScan: string[];
    isRelative: boolean;
    parserPlugins: string[];
  },
  forCli: false,
) => Promise<{
  globalChecks: number;
  atomicChecks: number;
  errors: Array<{ file: string; message: string; tolerable: boolean }>;
  issues: RawIssue[];
}>;

const SCANNED_EXTENSIONS = new Set(['.js', '.jsx', '.ts', '.tsx', '.html', '.htm']);

export function readAuditConfig(file = path.join(root, '.electronegativity.json')): AuditConfig {
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as AuditConfig;
  const withoutReason = [...config.excludedChecks, ...config.acceptedFindings].filter(
    (entry) => typeof entry.reason !== 'string' || entry.reason.trim().length < 20,
  );
  if (withoutReason.length > 0) {
    throw new Error(
      `${path.basename(file)}: every excluded check and accepted finding needs its reason (at least a sentence): ${withoutReason.map((entry) => entry.check).join(', ')}`,
    );
  }
  return config;
}

export function installedElectronVersion(): string {
  return (
    JSON.parse(fs.readFileSync(path.join(root, 'node_modules/electron/package.json'), 'utf8')) as {
      version: string;
    }
  ).version;
}

/** CHECK_ID → the lower-case class name Electronegativity's exclusion list matches on. */
export function checkConstructName(checkId: string): string {
  return checkId.replaceAll('_', '').toLowerCase();
}

let cachedRunner: Runner | null = null;

/** Loads Electronegativity with its network and TypeScript-API dependencies replaced (see the header). */
function loadRunner(): Runner {
  if (cachedRunner) return cachedRunner;
  const packageDir = path.dirname(require.resolve('@doyensec/electronegativity/package.json'));
  const ownTypeScript = require.resolve('typescript', { paths: [packageDir] });
  const moduleInternals = Module as unknown as {
    _resolveFilename: (
      request: string,
      parent: { filename?: string } | undefined,
      ...rest: unknown[]
    ) => string;
  };
  const resolveFilename = moduleInternals._resolveFilename;
  moduleInternals._resolveFilename = function (request, parent, ...rest) {
    if (request === 'typescript' && parent?.filename?.includes(`${path.sep}@typescript-eslint${path.sep}`)) {
      return ownTypeScript;
    }
    return resolveFilename.call(this, request, parent, ...rest);
  };
  // `got` is only used for the two network look-ups; an immediate failure makes both fall back offline.
  const gotPath = require.resolve('got', { paths: [path.join(packageDir, 'dist')] });
  const offline = () => Promise.reject(new Error('electronegativity runs offline in ModelDock'));
  require.cache[gotPath] = {
    id: gotPath,
    filename: gotPath,
    loaded: true,
    exports: offline,
  } as unknown as NodeJS.Module;
  const loaded = require(path.join(packageDir, 'dist', 'runner.js')) as Runner | { default: Runner };
  cachedRunner = typeof loaded === 'function' ? loaded : loaded.default;
  return cachedRunner;
}

/** Copies the scanned sources of each input into one tree so the app is audited as a whole. */
function stageInputs(baseDir: string, inputs: readonly string[], stageDir: string): number {
  let count = 0;
  for (const input of inputs) {
    const from = path.join(baseDir, input);
    if (!fs.existsSync(from)) throw new Error(`audit input ${input} does not exist`);
    for (const entry of fs.readdirSync(from, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile() || !SCANNED_EXTENSIONS.has(path.extname(entry.name))) continue;
      const source = path.join(entry.parentPath, entry.name);
      if (source.split(path.sep).includes('node_modules')) continue;
      const target = path.join(stageDir, path.relative(baseDir, source));
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.copyFileSync(source, target);
      count++;
    }
  }
  return count;
}

function quiet<T>(work: () => Promise<T>): Promise<T> {
  // Electronegativity prints progress notes ("Could not retrieve updated translations…") on console.log.
  const log = console.log;
  console.log = () => {};
  return work().finally(() => {
    console.log = log;
  });
}

export async function auditElectron(options: {
  config: AuditConfig;
  baseDir?: string;
  electronVersion?: string;
}): Promise<AuditResult> {
  const baseDir = options.baseDir ?? root;
  const electronVersion = options.electronVersion ?? installedElectronVersion();
  const runner = loadRunner();
  const stageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-audit-'));
  try {
    const filesScanned = stageInputs(baseDir, options.config.inputs, stageDir);
    if (filesScanned === 0) throw new Error(`nothing to audit in ${options.config.inputs.join(', ')}`);
    const raw = await quiet(() =>
      runner(
        {
          input: stageDir,
          electronVersionOverride: electronVersion,
          excludeFromScan: options.config.excludedChecks.map((entry) => checkConstructName(entry.check)),
          customScan: [],
          isRelative: true,
          parserPlugins: [],
        },
        false,
      ),
    );
    const all = raw.issues.map(
      (issue): Finding => ({
        check: issue.id,
        file: issue.file.split(path.sep).join('/'),
        line: issue.location.line,
        column: issue.location.column,
        severity: issue.severity.name,
        confidence: issue.confidence.name,
        description: issue.description,
        ...(issue.sample === undefined ? {} : { sample: String(issue.sample).trim() }),
        manualReview: issue.manualReview,
      }),
    );
    all.sort(
      (a, b) =>
        a.file.localeCompare(b.file) ||
        a.line - b.line ||
        a.column - b.column ||
        a.check.localeCompare(b.check),
    );
    const acceptanceFor = (finding: Finding) =>
      options.config.acceptedFindings.find(
        (entry) => entry.check === finding.check && entry.file === finding.file,
      );
    const accepted = all.flatMap((finding) => {
      const acceptance = acceptanceFor(finding);
      return acceptance ? [{ ...finding, reason: acceptance.reason }] : [];
    });
    return {
      electronVersion,
      electronegativityVersion: (require('@doyensec/electronegativity/package.json') as { version: string })
        .version,
      filesScanned,
      checksRun: raw.globalChecks + raw.atomicChecks,
      findings: all.filter((finding) => !acceptanceFor(finding)),
      accepted,
      unusedAcceptances: options.config.acceptedFindings.filter(
        (entry) => !all.some((finding) => finding.check === entry.check && finding.file === entry.file),
      ),
      parseErrors: raw.errors
        .filter((error) => !error.tolerable)
        .map((error) => ({
          file: path.relative(stageDir, error.file).split(path.sep).join('/'),
          message: error.message,
        })),
    };
  } finally {
    fs.rmSync(stageDir, { recursive: true, force: true });
  }
}

export function formatAuditReport(result: AuditResult, config: AuditConfig): string {
  const lines = [
    `Electronegativity ${result.electronegativityVersion}, Electron ${result.electronVersion}: ${result.filesScanned} files in ${config.inputs.join(', ')}, ${result.checksRun} checks`,
  ];
  for (const excluded of config.excludedChecks)
    lines.push(`  excluded ${excluded.check}: ${excluded.reason}`);
  for (const finding of result.accepted) {
    lines.push(`  accepted ${finding.check} at ${finding.file}:${finding.line}: ${finding.reason}`);
  }
  for (const unused of result.unusedAcceptances) {
    lines.push(
      `  note: accepted ${unused.check} in ${unused.file} no longer occurs; remove it from .electronegativity.json`,
    );
  }
  for (const error of result.parseErrors) lines.push(`  COULD NOT PARSE ${error.file}: ${error.message}`);
  for (const finding of result.findings) {
    lines.push(
      `  FINDING ${finding.check} (${finding.severity}, ${finding.confidence}${finding.manualReview ? ', review' : ''}) at ${finding.file}:${finding.line}:${finding.column}`,
      `    ${finding.description}${finding.sample ? `\n    ${finding.sample.split('\n')[0]}` : ''}`,
    );
  }
  const failed = result.findings.length + result.parseErrors.length;
  lines.push(
    failed === 0
      ? `No findings (${result.accepted.length} accepted with reasons).`
      : `${result.findings.length} finding(s), ${result.parseErrors.length} unparsed file(s). Fix them, or accept a finding in .electronegativity.json with its reason.`,
  );
  return lines.join('\n');
}

async function main(): Promise<number> {
  const config = readAuditConfig();
  const result = await auditElectron({ config });
  console.log(formatAuditReport(result, config));
  return result.findings.length + result.parseErrors.length === 0 ? 0 : 1;
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === import.meta.filename) {
  process.exitCode = await main();
}
