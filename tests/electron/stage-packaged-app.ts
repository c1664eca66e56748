// Lays out the app the way electron-builder.yml packs it, so the built bundles run on exactly what an
// installer contains: the files its `files` patterns select (no TypeScript sources), and node_modules with
// the production dependencies those patterns keep (no tsx, no esbuild). Dependencies are symlinked, not
// copied; a symlinked package resolves its own imports from the real node_modules, but everything the
// app's bundles import is resolved from the staged folder only.
import fs from 'node:fs';
import path from 'node:path';
import type { Configuration } from 'app-builder-lib';
import { getConfig } from 'app-builder-lib/out/util/config/load.js';
import { minimatch } from 'minimatch';

export interface StagedApp {
  dir: string;
  /** Production dependencies linked into node_modules. */
  dependencies: string[];
  /** Production dependencies the `files` patterns leave out. */
  leftOut: string[];
}

async function builderFilePatterns(root: string): Promise<string[]> {
  const loaded = await getConfig<Configuration>({
    packageKey: 'build',
    configFilename: 'electron-builder',
    projectDir: root,
    packageMetadata: null,
  });
  return (loaded?.result.files ?? []) as string[];
}

/**
 * electron-builder's reading of `files`: an app file is packed when a pattern selects it and no `!`
 * pattern drops it; production dependencies are added on their own, and only the `!` patterns apply to them.
 */
export function filesMatcher(patterns: string[]) {
  const include = patterns.filter((p) => !p.startsWith('!'));
  const exclude = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));
  const excluded = (file: string) => exclude.some((p) => minimatch(file, p, { dot: true }));
  return {
    appFile: (file: string) => include.some((p) => minimatch(file, p, { dot: true })) && !excluded(file),
    dependencyFile: (file: string) => !excluded(file),
  };
}

export async function stagePackagedApp(root: string, dir: string): Promise<StagedApp> {
  const packed = filesMatcher(await builderFilePatterns(root));
  const appFiles = fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .filter((file) => !/^(node_modules|\.git)\//.test(file) && packed.appFile(file));
  for (const file of appFiles) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(root, file), path.join(dir, file));
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  const dependencies: string[] = [];
  const leftOut: string[] = [];
  for (const name of Object.keys(pkg.dependencies)) {
    if (!packed.dependencyFile(`node_modules/${name}/package.json`)) {
      leftOut.push(name);
      continue;
    }
    const link = path.join(dir, 'node_modules', name);
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync(path.join(root, 'node_modules', name), link, 'dir');
    dependencies.push(name);
  }
  return { dir, dependencies, leftOut };
}
