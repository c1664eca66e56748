import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium } from '@playwright/test';

/**
 * The Chromium the end-to-end tests (and bench/ui.ts) drive, so `npm test` needs Node and npm only. In order:
 *   1. CHROMIUM_PATH, when set;
 *   2. Playwright's own Chromium, when `npx playwright install chromium` has been run;
 *   3. a system Chrome or Chromium at its usual place (Debian's /usr/bin/chromium, Google Chrome, …);
 *   4. @sparticuz/chromium, a development dependency: a Linux x64 Chromium shipped inside the npm package
 *      (brotli-compressed, unpacked into the temp folder on first use, ~3 s), for machines with none of these.
 * The choice is printed once per run (the environment carries it to Playwright's worker processes).
 */
export interface E2eBrowser {
  executablePath: string;
  source: string;
  /** Extra environment for the browser process (the shared libraries @sparticuz/chromium brings). */
  env?: Record<string, string>;
}

const chosenKey = 'MODELDOCK_E2E_BROWSER';

const systemBrowsers = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  path.join(process.env.PROGRAMFILES ?? 'C:\\Program Files', 'Google/Chrome/Application/chrome.exe'),
];

function playwrightsOwn(): string | undefined {
  try {
    const own = chromium.executablePath();
    return existsSync(own) ? own : undefined;
  } catch {
    return undefined;
  }
}

/** Unpacks @sparticuz/chromium (an async API) in a child process, so the Playwright config stays synchronous. */
function fromNpmPackage(): E2eBrowser | undefined {
  const script = path.join(import.meta.dirname, 'unpack-npm-chromium.mjs');
  try {
    const out = execFileSync(process.execPath, [script], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const { executablePath, libraryPath } = JSON.parse(out) as {
      executablePath: string;
      libraryPath: string;
    };
    const libraries = [libraryPath, process.env.LD_LIBRARY_PATH].filter(Boolean).join(path.delimiter);
    return {
      executablePath,
      source: 'Chromium from the @sparticuz/chromium package',
      env: { LD_LIBRARY_PATH: libraries },
    };
  } catch {
    return undefined;
  }
}

function resolveBrowser(): E2eBrowser {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return { executablePath: fromEnv, source: 'CHROMIUM_PATH' };
  const own = playwrightsOwn();
  if (own) return { executablePath: own, source: "Playwright's own Chromium" };
  const system = systemBrowsers.find((candidate) => existsSync(candidate));
  if (system) return { executablePath: system, source: 'the system browser' };
  const packaged = fromNpmPackage();
  if (packaged) return packaged;
  throw new Error(
    'No Chromium for the end-to-end tests: install one (`npx playwright install chromium`, or your OS package), ' +
      'set CHROMIUM_PATH, or run `npm install` so the @sparticuz/chromium development dependency is there.',
  );
}

export function e2eBrowser(): E2eBrowser {
  const chosen = process.env[chosenKey];
  if (chosen) return JSON.parse(chosen) as E2eBrowser;
  const browser = resolveBrowser();
  process.env[chosenKey] = JSON.stringify(browser);
  console.log(`End-to-end tests use ${browser.source}: ${browser.executablePath}`);
  return browser;
}
