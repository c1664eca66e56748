// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  dropFiles,
  expect,
  repoRoot,
  sampleModel,
  saveScreenshot,
  startWebHost,
  stopWebHost,
  test,
} from './fixtures.ts';

/** Issue 13's "found as a new user" items that only browser mode has: a synthetic drop and a host restart. */
const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

// A synthetic drop: in Electron a synthetic File has no path on disk (real drops are paths there).
test('a CSV dropped on the window goes to Batch, not to model open', async ({ app, appMode }) => {
  const base64 = (await readFile(leadCsv)).toString('base64');
  // Without a model: said plainly, nothing is opened.
  await dropFiles(app, [{ name: 'course_lead_scoring.csv', base64, type: 'text/csv' }]);
  await expect(app.getByTestId('notice')).toHaveText(
    /course_lead_scoring\.csv is a data file: open a model first/,
  );
  await expect(app.getByRole('alert')).toHaveCount(0);

  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(app.getByRole('tab', { name: 'Try' })).toHaveAttribute('aria-selected', 'true');
  await dropFiles(app, [{ name: 'course_lead_scoring.csv', base64, type: 'text/csv' }], {
    checkOverlay: true,
  });
  await expect(app.getByRole('tab', { name: 'Batch' })).toHaveAttribute('aria-selected', 'true');
  // The size reads in KB, not "77.6 KiB" or "79413 bytes".
  await expect(app.getByTestId('batch-detected')).toContainText('77.6 KB');
  await expect(app.getByTestId('batch-run')).toBeEnabled();
  await expect(app.getByText('is not a model file')).toHaveCount(0);
  await saveScreenshot(app, 'csv-drop-to-batch', appMode);
});

test('after the host restarts on the same port, pasting its new address reloads on the new token', async ({
  page,
  appMode,
  workDir,
}) => {
  const dataDir = path.join(workDir, `restart-${Date.now()}`);
  const first = await startWebHost(dataDir);
  await page.goto(first.url);
  await page.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(page.getByRole('tab', { name: 'Try' })).toBeVisible();
  await stopWebHost(first);

  const second = await startWebHost(dataDir, ['--port', String(first.port)]);
  try {
    expect(second.port).toBe(first.port);
    expect(second.token).not.toBe(first.token);
    // Only the #token differs: the browser changes the hash without loading the page.
    await page.goto(second.url);
    await expect(page.getByTestId('missing-token')).toHaveCount(0);
    await page.getByTestId('open-file-input').setInputFiles(sampleModel);
    await expect(page.getByRole('tab', { name: 'Try' })).toBeVisible();
    await expect(page.getByText('no valid launch token')).toHaveCount(0);
    await expect(page.getByRole('alert')).toHaveCount(0);
    expect(page.url()).not.toContain('#token');
    await saveScreenshot(page, 'new-token-reload', appMode);
  } finally {
    await stopWebHost(second);
  }
});
