import path from 'node:path';
import { cli, expect, fixturesDir, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';

interface InspectJson {
  sha256: string;
  md5: string;
  sizeBytes: number;
}

test('the empty state invites a drop and offers the Open button', async ({ app, appMode }) => {
  await expect(app.getByTestId('empty-state')).toBeVisible();
  await expect(app.getByRole('heading', { name: 'Drop a model file anywhere in this window' })).toBeVisible();
  await expect(app.getByRole('button', { name: 'Open model…' }).first()).toBeVisible();
  await saveScreenshot(app, 'empty', appMode);
});

test('opening the sample model through the file input shows the SHA-256 the CLI computes', async ({
  app,
  appMode,
}) => {
  const expected = await cli<InspectJson>('inspect', sampleModel);
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  const card = app.getByTestId('model-card');
  await expect(card.getByRole('heading', { name: 'lead_scoring.onnx' })).toBeVisible();
  await expect(app.getByTestId('sha256')).toHaveText(expected.sha256);
  await expect(app.getByTestId('md5')).toHaveText(expected.md5);
  await expect(app.getByTestId('model-task')).toHaveText('Binary classification');
  await expect(card.getByRole('table', { name: 'Inputs' })).toContainText('number_of_courses_viewed');
  await expect(card.getByRole('table', { name: 'Outputs' })).toContainText('probabilities');
  await saveScreenshot(app, 'model', appMode);

  // The expected-checksum field: the right MD5 matches, a wrong SHA-256 is a loud mismatch.
  const expectedField = app.getByLabel('Expected checksum');
  await expectedField.fill(expected.md5);
  await app.getByRole('button', { name: 'Check' }).click();
  await expect(app.getByTestId('checksum-status')).toContainText('Matches the file’s MD5');
  await expectedField.fill('0'.repeat(64));
  await app.getByRole('button', { name: 'Check' }).click();
  await expect(app.getByTestId('checksum-status')).toContainText('Does not match');
});

test('recent models reopen with one click', async ({ app }) => {
  await app.getByTestId('open-file-input').setInputFiles(path.join(fixturesDir, 'regressor.onnx'));
  await expect(app.getByTestId('model-card').getByRole('heading', { name: 'regressor.onnx' })).toBeVisible();
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(
    app.getByTestId('model-card').getByRole('heading', { name: 'lead_scoring.onnx' }),
  ).toBeVisible();
  await app.getByText('Recent', { exact: true }).click();
  await app.getByRole('button', { name: /regressor\.onnx/ }).click();
  await expect(app.getByTestId('model-card').getByRole('heading', { name: 'regressor.onnx' })).toBeVisible();
});

test('a scikit-learn pickle shows its pipeline and the checksums of the original file', async ({
  app,
  appMode,
}) => {
  const pickle = path.join(repoRoot, 'tests/fixtures/sklearn/ct_onehot_logreg.pickle4.pkl');
  const expected = await cli<InspectJson>('inspect', pickle);
  await app.getByTestId('open-file-input').setInputFiles(pickle);
  await expect(app.getByTestId('sha256')).toHaveText(expected.sha256);
  const conversion = app.getByTestId('conversion');
  await expect(conversion).toContainText('Converted from scikit-learn');
  await expect(conversion).toContainText('→');
  await expect(conversion.locator('code')).toHaveText(/^[0-9a-f]{64}$/);
  await saveScreenshot(app, 'sklearn-model', appMode);
});

test('the Library lists kept models and opens one as the current model', async ({ app, appMode }) => {
  await app.getByTestId('open-file-input').setInputFiles(path.join(fixturesDir, 'regressor.onnx'));
  await expect(app.getByTestId('model-card').getByRole('heading', { name: 'regressor.onnx' })).toBeVisible();
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(
    app.getByTestId('model-card').getByRole('heading', { name: 'lead_scoring.onnx' }),
  ).toBeVisible();

  await app.getByRole('button', { name: 'Library', exact: true }).click();
  const library = app.getByRole('region', { name: 'Model library' });
  const regressor = library.getByTestId('library-entry').filter({ hasText: 'regressor' });
  await expect(regressor).toBeVisible();
  await saveScreenshot(app, 'library', appMode);
  await regressor.getByRole('button', { name: 'Open', exact: true }).click();
  await expect(app.getByTestId('model-card').getByRole('heading', { name: /regressor/ })).toBeVisible();
});
