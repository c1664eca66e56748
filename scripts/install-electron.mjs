#!/usr/bin/env node
// npm's `postinstall` for ModelDock itself: downloads Electron's binary, and carries on without it.
//
// Electron's own install script (node_modules/electron/install.js) downloads the binary from GitHub and
// fails the whole `npm install` when it can't (`getaddrinfo ENOTFOUND github.com` behind a registry-only
// network). package.json's `allowScripts` therefore denies it (`"electron": false`) and this script runs it
// instead: with a download the desktop app works as before; without one the install still succeeds,
// `npm start` uses browser mode and says why, and one line here says how to retry.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const electronDir = path.join(root, 'node_modules', 'electron');
const installScript = path.join(electronDir, 'install.js');

// Installed without development dependencies (`npm install --omit=dev`): there is no Electron to set up.
if (!existsSync(installScript)) process.exit(0);

const result = spawnSync(process.execPath, [installScript], {
  cwd: electronDir,
  encoding: 'utf8',
  stdio: ['ignore', 'inherit', 'pipe'],
});
if (result.status !== 0) {
  const reason =
    (result.stderr ?? '')
      .split('\n')
      .map((line) => line.trim())
      .find((line) => line.length > 0 && !line.startsWith('at ')) ??
    result.error?.message ??
    `exit code ${result.status}`;
  console.log(
    `ModelDock: Electron's binary could not be downloaded (${reason}); \`npm start\` will use browser mode. ` +
      `To retry: node ${path.relative(root, installScript)}`,
  );
}
