// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
import { createHash } from 'node:crypto';
import { copyFile, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import {
  expect,
  fixturesDir,
  sampleModel,
  saveScreenshot,
  startWebHost,
  stopWebHost,
  test,
} from './fixtures.ts';

// Runs a browser-mode host of its own, so removing a library entry touches no other test.
test('a recent model whose file is gone reopens from the library copy; without one, a clear message', async ({
  appMode,
  page,
  workDir,
}) => {
  const host = await startWebHost(path.join(workDir, 'recent-fallback'));
  try {
    await page.goto(host.url);
    const copy = path.join(workDir, 'soon-gone.onnx');
    await copyFile(sampleModel, copy);
    await page.getByTestId('open-file-input').setInputFiles(copy);
    const heading = page.getByTestId('model-card').getByRole('heading', { name: 'soon-gone.onnx' });
    await expect(heading).toBeVisible();
    // The path main opened (in browser mode, the uploaded copy in the data dir) disappears…
    await rm((await heading.getAttribute('title'))!);
    await page.getByTestId('open-file-input').setInputFiles(path.join(fixturesDir, 'regressor.onnx'));
    await expect(
      page.getByTestId('model-card').getByRole('heading', { name: 'regressor.onnx' }),
    ).toBeVisible();

    // …so reopening it from the recent list opens the library's copy of the same bytes, and says so.
    const reopen = async () => {
      await page.getByText('Recent', { exact: true }).click();
      await page
        .getByRole('button', { name: /soon-gone\.onnx/ })
        .first()
        .click();
    };
    await reopen();
    await expect(page.getByTestId('notice')).toContainText('soon-gone.onnx is no longer at');
    await expect(page.getByTestId('notice')).toContainText('library copy (same SHA-256)');
    await saveScreenshot(page, 'recent-from-library-copy', appMode);
    await expect(page.getByTestId('model-card')).toContainText(
      createHash('sha256')
        .update(await readFile(sampleModel))
        .digest('hex'),
    );

    // Without a library copy, the open fails with a clear message.
    await page.getByRole('button', { name: 'Library', exact: true }).click();
    const entry = page.getByTestId('library-entry').filter({ hasText: 'soon-gone.onnx' });
    await entry.getByRole('button', { name: 'Remove…' }).click();
    await entry.getByRole('button', { name: 'Yes, remove' }).click();
    await expect(entry).toHaveCount(0);
    await page.getByRole('button', { name: 'Library', exact: true }).click();
    await reopen();
    await expect(page.getByTestId('open-error')).toHaveAttribute('data-code', 'file-not-found');
    await expect(page.getByTestId('open-error')).toContainText('Could not open soon-gone.onnx');
  } finally {
    await stopWebHost(host);
  }
});

// Intercepts the browser-mode upload.
test('a file deleted between the drop and the open gets a clear message', async ({ app }) => {
  await app.route('**/api/upload**', async (route) => {
    const response = await route.fetch();
    const body = (await response.json()) as { path: string };
    await rm(body.path);
    await route.fulfill({ response });
  });
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(app.getByTestId('open-error')).toHaveAttribute('data-code', 'file-not-found');
  await expect(app.getByTestId('open-error')).toContainText('Could not open lead_scoring.onnx');
});
