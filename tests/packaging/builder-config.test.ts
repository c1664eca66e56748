// electron-builder.yml, checked the way electron-builder reads it: its own loader, its own JSON schema,
// its own file matcher over the real onnxruntime-node layout. No installer is built here.

import type { Stats } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import type { Configuration, FileAssociation, PlatformSpecificBuildOptions } from 'app-builder-lib';
import * as fileMatcherModule from 'app-builder-lib/out/fileMatcher.js';
import { validateConfiguration } from 'app-builder-lib/out/util/config/config.js';
import { getConfig } from 'app-builder-lib/out/util/config/load.js';
import { minimatch } from 'minimatch';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_FILE_EXTENSIONS } from '../../shared/model-file-extensions.ts';

const root = path.resolve(import.meta.dirname, '../..');
const ortBinDir = path.join(root, 'node_modules', 'onnxruntime-node', 'bin');

async function loadBuilderConfig(): Promise<{ config: Configuration; file: string | null }> {
  const loaded = await getConfig<Configuration>({
    packageKey: 'build',
    configFilename: 'electron-builder',
    projectDir: root,
    packageMetadata: null,
  });
  if (loaded === null) throw new Error('electron-builder found no configuration');
  return { config: loaded.result, file: loaded.configFile };
}

function validatorForBuilderSchema() {
  const schema = JSON.parse(
    fs.readFileSync(path.join(root, 'node_modules/app-builder-lib/scheme.json'), 'utf8'),
  );
  // strict off: the schema uses keywords ajv's strict mode rejects (e.g. "markdownDescription"-style extras).
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

function listFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}

// electron-builder's internal matcher for production node_modules (exclusions from `files`, top level and
// per platform); not in its .d.ts, so typed here.
type NodeModuleMatcherFactory = (
  appDir: string,
  destination: string,
  macroExpander: (pattern: string) => string,
  platformOptions: PlatformSpecificBuildOptions,
  packager: { config: Configuration; debugLogger: { isEnabled: boolean } },
) => { createFilter(): (file: string, stat: Stats) => boolean };
const getNodeModuleFileMatcher = (
  fileMatcherModule as unknown as { getNodeModuleFileMatcher: NodeModuleMatcherFactory }
).getNodeModuleFileMatcher;

/** onnxruntime files electron-builder would copy for this platform section and arch, as os/arch/file. */
function packagedOrtFiles(
  config: Configuration,
  platformOptions: PlatformSpecificBuildOptions,
  arch: string,
): string[] {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: electron-builder's own macro syntax, not a template.
  const expand = (pattern: string) => pattern.replaceAll('${arch}', arch);
  const filter = getNodeModuleFileMatcher(root, '/app', expand, platformOptions, {
    config,
    debugLogger: { isEnabled: false },
  }).createFilter();
  return listFiles(ortBinDir)
    .filter((file) => filter(file, fs.statSync(file)))
    .map((file) => path.relative(ortBinDir, file).split(path.sep).slice(1).join('/'));
}

type TargetEntry = { target: string; arch?: string | string[] };
function targetArchs(platformOptions: PlatformSpecificBuildOptions | null | undefined): string[] {
  const targets = (platformOptions?.target ?? []) as TargetEntry[];
  return [...new Set(targets.flatMap((entry) => [entry.arch ?? []].flat()))];
}

describe('electron-builder.yml', () => {
  let config: Configuration;
  let configFile: string | null;
  beforeAll(async () => {
    ({ config, file: configFile } = await loadBuilderConfig());
  });

  it("is the configuration electron-builder picks up, and it validates against electron-builder's JSON schema", () => {
    expect(configFile).toBe(path.join(root, 'electron-builder.yml'));
    const validate = validatorForBuilderSchema();
    const valid = validate(config);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("passes electron-builder's own validation, deprecated options included", async () => {
    const debugLogger = { isEnabled: false, add: () => {} };
    await expect(validateConfiguration(config, debugLogger as never)).resolves.toBeUndefined();
    await expect(
      validateConfiguration({ ...config, dmg: { titel: 'x' } } as never, debugLogger as never),
    ).rejects.toThrow(/configuration\.dmg/);
  });

  it('is checked by a schema that does reject broken configurations', () => {
    const validate = validatorForBuilderSchema();
    expect(validate({ ...config, fileAssociations: [{ ext: 'onnx', role: 42 }] })).toBe(false);
    expect(validate({ ...config, mac: { ...config.mac, targett: 'dmg' } })).toBe(false);
  });

  it('names the app and builds AppImage + deb, a dmg and an NSIS installer', () => {
    expect(config.appId).toBe('com.modeldock.app');
    expect(config.productName).toBe('ModelDock');
    const targetNames = (options: PlatformSpecificBuildOptions | null | undefined) =>
      ((options?.target ?? []) as TargetEntry[]).map((entry) => entry.target);
    expect(targetNames(config.linux)).toEqual(['AppImage', 'deb']);
    expect(targetNames(config.mac)).toEqual(['dmg']);
    expect(targetNames(config.win)).toEqual(['nsis']);
  });

  it('packs the built app whose main is the Electron entry in package.json', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(pkg.main).toBe('dist/electron/main.cjs');
    const patterns = (config.files ?? []) as string[];
    const included = (file: string) =>
      patterns.some((p) => !p.startsWith('!') && minimatch(file, p)) &&
      !patterns.some((p) => p.startsWith('!') && minimatch(file, p.slice(1)));
    expect(included(pkg.main)).toBe(true);
    expect(included('dist/renderer/index.html')).toBe(true);
    expect(included('dist/renderer/assets/index.js.map')).toBe(false);
    // Everything Electron runs is bundled (scripts/build.mjs); the export template is read at run time.
    for (const bundle of ['electron/main.cjs', 'electron/preload.cjs', 'score-worker.cjs'])
      expect(included(`dist/${bundle}`), bundle).toBe(true);
    expect(included('assets/bundle/Dockerfile')).toBe(true);
    // Sources and development-only files stay out: the app loads no TypeScript.
    for (const file of [
      'main/sklearn/index.ts',
      'main/workers/tsx-entry.mjs',
      'main/scoring/score-worker.ts',
      'dist/cli.cjs',
      'dist/score-worker.cjs.map',
      'shared/contract/index.ts',
      'dist/electron/main.cjs.map',
      'tests/packaging/fuses.test.ts',
      'e2e/app.spec.ts',
      'assets/data/course_lead_scoring.csv',
      'bench/core.ts',
    ]) {
      expect(included(file), file).toBe(false);
    }
  });

  it('leaves the TypeScript loader (tsx, esbuild) out of the production node_modules, keeping onnxruntime', () => {
    const filter = getNodeModuleFileMatcher(root, '/app', (pattern) => pattern, config.linux!, {
      config,
      debugLogger: { isEnabled: false },
    }).createFilter();
    const packed = (dir: string) => {
      const file = path.join(root, 'node_modules', dir, 'package.json');
      return filter(file, fs.statSync(file));
    };
    expect(packed('tsx')).toBe(false);
    expect(packed('esbuild')).toBe(false);
    const nativeEsbuild = fs.readdirSync(path.join(root, 'node_modules/@esbuild'));
    expect(nativeEsbuild.length).toBeGreaterThan(0);
    for (const platform of nativeEsbuild) expect(packed(`@esbuild/${platform}`), platform).toBe(false);
    expect(packed('onnxruntime-node')).toBe(true);
    expect(packed('zod')).toBe(true);
  });

  it('associates exactly the model extensions the app accepts, as a viewer with a MIME type', () => {
    const associations = (config.fileAssociations ?? []) as FileAssociation[];
    expect(associations.flatMap((a) => [a.ext].flat().map((ext) => `.${ext}`)).sort()).toEqual(
      [...MODEL_FILE_EXTENSIONS].sort(),
    );
    for (const association of associations) {
      expect(association.name, `${association.ext} name`).toBeTruthy();
      expect(association.description, `${association.ext} description`).toBeTruthy();
      expect(association.role).toBe('Viewer');
      expect(association.mimeType).toMatch(/^application\/[a-z0-9.+-]+$/);
    }
  });

  it('unpacks every onnxruntime native file from the asar archive', () => {
    const patterns = (config.asarUnpack ?? []) as string[];
    const files = listFiles(ortBinDir).map((file) => path.relative(root, file).split(path.sep).join('/'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect(
        patterns.some((p) => minimatch(file, p, { dot: true })),
        file,
      ).toBe(true);
  });

  it.each([
    ['linux', 'linux'],
    ['mac', 'darwin'],
    ['win', 'win32'],
  ] as const)('%s packages only its own onnxruntime binaries, for each arch it targets', (section, os) => {
    const platformOptions = config[section] as PlatformSpecificBuildOptions;
    const archs = targetArchs(platformOptions);
    expect(archs.length).toBeGreaterThan(0);
    for (const arch of archs) {
      const packaged = packagedOrtFiles(config, platformOptions, arch);
      const expected = listFiles(path.join(ortBinDir, 'napi-v6', os, arch)).map(
        (file) => `${os}/${arch}/${path.basename(file)}`,
      );
      // A target arch without binaries would install an app that can't load a model.
      expect(expected.length, `onnxruntime-node has no ${os}/${arch} binaries`).toBeGreaterThan(0);
      expect(packaged.sort()).toEqual(expected.sort());
    }
  });

  it('points at icons that exist and the fuse hook', async () => {
    for (const icon of [config.linux?.icon, config.mac?.icon, config.win?.icon]) {
      expect(icon).toBeTruthy();
      expect(fs.existsSync(path.join(root, icon!)), `${icon}`).toBe(true);
    }
    expect(config.afterPack).toBe('scripts/after-pack-fuses.cjs');
    const hook = await import(path.join(root, config.afterPack as string));
    expect(typeof hook.default).toBe('function');
  });
});
