// scripts/audit.ts really runs Electronegativity on our TypeScript: a deliberately unsafe app is caught,
// accepted findings need a reason, and the committed configuration names checks that exist.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AuditConfig,
  auditElectron,
  checkConstructName,
  formatAuditReport,
  readAuditConfig,
} from '../../scripts/audit.ts';

const root = path.resolve(import.meta.dirname, '../..');

const UNSAFE_MAIN = `import { BrowserWindow, shell } from 'electron';
interface Opened { url: string }
export function open(target: Opened): BrowserWindow {
  const window: BrowserWindow = new BrowserWindow({
    webPreferences: { nodeIntegration: true, contextIsolation: false },
  });
  void shell.openExternal(target.url);
  return window;
}
`;
const SAFE_PAGE = `<!doctype html><html><head>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'self'; object-src 'none'; base-uri 'none'">
</head><body></body></html>
`;

describe('auditElectron', () => {
  let appDir: string;
  beforeAll(() => {
    appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-audit-test-'));
    fs.mkdirSync(path.join(appDir, 'main'));
    fs.mkdirSync(path.join(appDir, 'renderer'));
    fs.writeFileSync(path.join(appDir, 'main', 'window.ts'), UNSAFE_MAIN);
    fs.writeFileSync(path.join(appDir, 'renderer', 'index.html'), SAFE_PAGE);
  });
  afterAll(() => fs.rmSync(appDir, { recursive: true, force: true }));

  const baseConfig: AuditConfig = { inputs: ['main', 'renderer'], excludedChecks: [], acceptedFindings: [] };

  it('reports Node integration, missing isolation and sandbox in a TypeScript main process', async () => {
    const result = await auditElectron({ config: baseConfig, baseDir: appDir, electronVersion: '41.0.0' });
    const checks = result.findings.map((finding) => `${finding.check} ${finding.file}`);
    expect(checks).toEqual(
      expect.arrayContaining([
        'NODE_INTEGRATION_JS_CHECK main/window.ts',
        'CONTEXT_ISOLATION_JS_CHECK main/window.ts',
        'SANDBOX_JS_CHECK main/window.ts',
        'OPEN_EXTERNAL_JS_CHECK main/window.ts',
      ]),
    );
    expect(result.parseErrors).toEqual([]);
    expect(result.filesScanned).toBe(2);
    expect(formatAuditReport(result, baseConfig)).toMatch(
      /FINDING NODE_INTEGRATION_JS_CHECK .* at main\/window\.ts:5/,
    );
  });

  it('moves accepted findings out of the failures, keeps their reason, and notes stale acceptances', async () => {
    const reason = 'Accepted for this test because the finding is exercised on purpose here.';
    const config: AuditConfig = {
      ...baseConfig,
      acceptedFindings: [
        { check: 'OPEN_EXTERNAL_JS_CHECK', file: 'main/window.ts', reason },
        { check: 'PRELOAD_JS_CHECK', file: 'main/gone.ts', reason },
      ],
    };
    const result = await auditElectron({ config, baseDir: appDir, electronVersion: '41.0.0' });
    expect(result.findings.map((finding) => finding.check)).not.toContain('OPEN_EXTERNAL_JS_CHECK');
    expect(result.accepted).toEqual([expect.objectContaining({ check: 'OPEN_EXTERNAL_JS_CHECK', reason })]);
    expect(result.unusedAcceptances).toEqual([config.acceptedFindings[1]]);
  });

  it('switches excluded checks off', async () => {
    const config: AuditConfig = {
      ...baseConfig,
      excludedChecks: [
        { check: 'SANDBOX_JS_CHECK', reason: 'Switched off for this test to see that exclusion works.' },
      ],
    };
    const result = await auditElectron({ config, baseDir: appDir, electronVersion: '41.0.0' });
    expect(result.findings.map((finding) => finding.check)).not.toContain('SANDBOX_JS_CHECK');
    expect(result.findings.map((finding) => finding.check)).toContain('NODE_INTEGRATION_JS_CHECK');
  });
});

describe('.electronegativity.json', () => {
  const checkClassNames = new Set(
    ['AtomicChecks', 'GlobalChecks'].flatMap((kind) =>
      fs
        .readdirSync(path.join(root, 'node_modules/@doyensec/electronegativity/dist/finder/checks', kind))
        .filter((file) => file.endsWith('.js'))
        .map((file) => file.slice(0, -'.js'.length).toLowerCase()),
    ),
  );

  it('names only checks Electronegativity has, each with a reason', () => {
    const config = readAuditConfig();
    expect(config.inputs).toEqual(['main', 'renderer']);
    for (const entry of [...config.excludedChecks, ...config.acceptedFindings]) {
      expect(checkClassNames.has(checkConstructName(entry.check)), entry.check).toBe(true);
    }
  });

  it('accepts at most 3 findings: the rest are fixed in the code where Electronegativity can read them', () => {
    expect(readAuditConfig().acceptedFindings.length).toBeLessThanOrEqual(3);
  });

  it('passes on the desktop window code and the page with exactly the accepted findings', async () => {
    // main/electron and renderer/index.html are where every Electron finding lives; `npm run audit:electron`
    // scans all of main/ and renderer/ (slower), this is the same audit on the part that matters.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'modeldock-audit-electron-'));
    try {
      fs.cpSync(path.join(root, 'main/electron'), path.join(dir, 'main/electron'), { recursive: true });
      fs.mkdirSync(path.join(dir, 'renderer'));
      fs.copyFileSync(path.join(root, 'renderer/index.html'), path.join(dir, 'renderer/index.html'));
      const config = readAuditConfig();
      const result = await auditElectron({ config, baseDir: dir });
      expect(formatAuditReport(result, config)).toMatch(/No findings \(3 accepted with reasons\)/);
      expect(result.findings).toEqual([]);
      expect(result.parseErrors).toEqual([]);
      expect(result.unusedAcceptances).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an accepted finding without a reason', () => {
    const file = path.join(os.tmpdir(), `modeldock-audit-config-${process.pid}.json`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        inputs: ['main'],
        excludedChecks: [],
        acceptedFindings: [{ check: 'PRELOAD_JS_CHECK', file: 'x.ts', reason: '' }],
      }),
    );
    try {
      expect(() => readAuditConfig(file)).toThrow(/PRELOAD_JS_CHECK/);
    } finally {
      fs.rmSync(file);
    }
  });
});
