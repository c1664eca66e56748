import { readFile, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, sampleModel, saveScreenshot, test } from './fixtures.ts';

test('a corrupt model shows the error state and the app keeps working', async ({ app, appMode, workDir }) => {
  const corrupt = path.join(workDir, 'corrupt.onnx');
  await writeFile(corrupt, (await readFile(sampleModel)).subarray(0, 700));
  await app.getByTestId('open-file-input').setInputFiles(corrupt);
  const error = app.getByTestId('open-error');
  await expect(error).toBeVisible();
  await expect(error).toContainText('Could not open corrupt.onnx');
  await expect(error).toHaveAttribute('data-code', /corrupt-model|unsupported-format/);
  await saveScreenshot(app, 'error', appMode);

  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(app.getByTestId('open-error')).toHaveCount(0);
  await expect(
    app.getByTestId('model-card').getByRole('heading', { name: 'lead_scoring.onnx' }),
  ).toBeVisible();
});

test('a 500 MB file that is not a model shows progress, can be cancelled, and is refused clearly', async ({
  app,
  appMode,
  workDir,
}) => {
  const big = path.join(workDir, 'big-export.onnx');
  await writeFile(big, '');
  await truncate(big, 500 * 1024 * 1024);

  await app.getByTestId('open-file-input').setInputFiles(big);
  const opening = app.getByTestId('opening');
  await expect(opening).toBeVisible();
  await expect(opening.locator('.spinner')).toBeVisible();
  await saveScreenshot(app, 'opening', appMode);
  // The UI answers while the file is processed: the Cancel button works.
  await opening.getByRole('button', { name: 'Cancel' }).click();
  await expect(opening).toHaveCount(0);
  await expect(app.getByTestId('notice')).toContainText('Opening big-export.onnx was cancelled.');

  await app.getByTestId('open-file-input').setInputFiles(big);
  await expect(app.getByTestId('open-error')).toBeVisible({ timeout: 45_000 });
  await expect(app.getByTestId('open-error')).toHaveAttribute(
    'data-code',
    /unsupported-format|empty-file|corrupt-model/,
  );
});
