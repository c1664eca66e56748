import { defineConfig } from '@playwright/test';
import { e2eBrowser } from './e2e/browser.ts';

/**
 * Two projects run the same user flows: `browser` against browser mode in Chromium (always), and
 * `electron` through Playwright's _electron when an Electron binary is installed (skipped, with the reason
 * printed, otherwise). Each worker starts its own browser-mode host on a free port (e2e/fixtures.ts).
 * Tests of what only browser mode has (its host: token, restarts, uploads, downloads, synthetic drops,
 * two tabs) live in *.browser.spec.ts, which the electron project leaves out rather than skipping them.
 * The Chromium is Playwright's own, else the system's, else the one in an npm package (e2e/browser.ts).
 */
const browser = e2eBrowser();
/** Specs of browser mode's own features: run by the browser project only. */
const browserOnlySpecs = /\.browser\.spec\.ts$/;
const chromiumLaunch = {
  executablePath: browser.executablePath,
  ...(browser.env ? { env: { ...process.env, ...browser.env } } : {}),
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
};

export default defineConfig<object, { appMode: 'browser' | 'electron' }>({
  testDir: 'e2e',
  outputDir: 'test-results/artifacts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 2,
  retries: 0,
  reporter: [['list']],
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    viewport: { width: 1280, height: 860 },
  },
  projects: [
    {
      name: 'browser',
      use: { browserName: 'chromium', launchOptions: chromiumLaunch },
    },
    {
      name: 'electron',
      testIgnore: browserOnlySpecs,
      // Fixtures are built per test; chromium is configured here too so nothing tries to download a browser.
      use: { appMode: 'electron', browserName: 'chromium', launchOptions: chromiumLaunch },
    },
  ],
});
