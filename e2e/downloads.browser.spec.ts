// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { downloadBytes } from './download-bytes.ts';
import { expect, sampleModel, test } from './fixtures.ts';

// Electron shows no download links: the bundle is on disk already.
test('an exported .zip bundle downloads in browser mode', async ({ app, workDir }) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Export' }).click();
  await app.getByLabel('Target folder').fill(path.join(workDir, `zip-bundle-${Date.now()}`));
  await app.getByLabel('Write as').selectOption({ label: '.zip archive' });
  await app.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(app.getByTestId('export-done')).toBeVisible({ timeout: 30_000 });
  const archivePath = (await app.getByTestId('export-path').textContent()) ?? '';
  expect(archivePath).toMatch(/\.zip$/);
  const archive = await downloadBytes(app, app.getByTestId('export-download'));
  expect(archive.name).toBe(path.basename(archivePath));
  expect(archive.bytes.subarray(0, 4).toString('latin1')).toBe('PK\u0003\u0004');
  expect(archive.bytes.equals(await readFile(archivePath))).toBe(true);
});
