import path from 'node:path';
import { modelRow, payloadReferenceOf } from '../tests/helpers/models-table.ts';
import { cli, expect, fixturesDir, guidePayload, sampleModel, saveScreenshot, test } from './fixtures.ts';

interface PredictJson {
  label: number | string;
  probability?: number;
  probabilities: Record<string, number>;
  warnings: { code: string; field: string }[];
}

test('the guide’s payload pasted as JSON fills the form and predicts what the CLI predicts', async ({
  app,
  appMode,
}) => {
  const expected = await cli<PredictJson>('predict', sampleModel, '--input', JSON.stringify(guidePayload));
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByTestId('payload-json').fill(JSON.stringify(guidePayload));
  await expect(app.getByLabel('lead_source')).toHaveValue('organic');
  await expect(app.getByLabel('number_of_courses_viewed')).toHaveValue('5');
  await expect(app.getByLabel('annual_income')).toHaveValue('75000');

  await app.getByLabel('annual_income').press('Enter');
  const shown = Number(await app.getByTestId('probability').textContent());
  expect(shown).toBeCloseTo(expected.probability!, 6);
  await expect(app.getByTestId('probability-percent')).toHaveText(
    `${(expected.probability! * 100).toFixed(1)}%`,
  );
  await expect(app.getByTestId('label')).toHaveText(String(expected.label));
  await expect(app.getByTestId('warnings')).toContainText('"organic" is not a category the model knows');
  expect(expected.warnings.map((warning) => warning.code)).toContain('unknown-category');
  await saveScreenshot(app, 'prediction', appMode);
  // The same screen in the OS's dark theme.
  const background = () => app.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
  const lightBackground = await background();
  await app.emulateMedia({ colorScheme: 'dark' });
  expect(await background()).not.toBe(lightBackground);
  await saveScreenshot(app, 'prediction-dark', appMode);
});

test('typing in the form updates the JSON view', async ({ app }) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByLabel('lead_source').selectOption('paid_ads');
  await app.getByLabel('number_of_courses_viewed').fill('2');
  await app.getByLabel('annual_income').fill('51000.5');
  const json = JSON.parse(await app.getByTestId('payload-json').inputValue());
  expect(json).toEqual({ lead_source: 'paid_ads', number_of_courses_viewed: 2, annual_income: 51000.5 });
});

test('an invalid field shows its message and sends no request', async ({ app, appMode }) => {
  const predictCalls: string[] = [];
  app.on('request', (request) => {
    if (request.url().includes('/api/call/model.predict')) predictCalls.push(request.url());
  });
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByLabel('lead_source').selectOption('organic_search');
  await app.getByLabel('number_of_courses_viewed').fill('2.5');
  await app.getByLabel('annual_income').fill('lots');
  await app.getByLabel('annual_income').press('Enter');
  await expect(app.getByText('number_of_courses_viewed must be a whole number.')).toBeVisible();
  await expect(app.getByText('annual_income must be a number, such as 42 or 3.5.')).toBeVisible();
  await expect(app.getByLabel('annual_income')).toHaveAttribute('aria-invalid', 'true');
  await expect(app.getByTestId('prediction')).toHaveCount(0);
  await saveScreenshot(app, 'invalid-field', appMode);
  expect(predictCalls).toEqual([]);

  // Fixing the fields clears the messages and predicts.
  await app.getByLabel('number_of_courses_viewed').fill('2');
  await app.getByLabel('annual_income').fill('60000');
  await app.getByRole('button', { name: 'Predict' }).click();
  await expect(app.getByTestId('prediction')).toBeVisible();
  await expect(app.getByText('annual_income must be a number, such as 42 or 3.5.')).toHaveCount(0);
});

test('a result is marked stale once the payload changes, and while a field is invalid', async ({
  app,
  appMode,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByTestId('payload-json').fill(JSON.stringify(guidePayload));
  await app.getByRole('button', { name: 'Predict' }).click();
  const prediction = app.getByTestId('prediction');
  const stale = app.getByTestId('prediction-stale');
  await expect(prediction).toBeVisible();
  await expect(stale).toHaveCount(0);
  const first = await app.getByTestId('probability').textContent();

  // Another income: the old answer stays for reference, dimmed, and says it is not for this payload.
  await app.getByLabel('annual_income').fill('20000');
  await expect(stale).toHaveText('This result is for the previous payload — press Predict.');
  await expect(prediction).toHaveAttribute('data-stale', 'changed');
  await expect(prediction).toHaveCSS('opacity', '1');
  expect(
    Number(await prediction.locator('.result-headline').evaluate((e) => getComputedStyle(e).opacity)),
  ).toBeLessThan(1);
  await saveScreenshot(app, 'prediction-stale', appMode);

  // Back to the predicted payload: the result answers it again.
  await app.getByLabel('annual_income').fill(String(guidePayload.annual_income));
  await expect(stale).toHaveCount(0);

  // An invalid field: stale, with a note that says to fix it first.
  await app.getByLabel('annual_income').fill('lots');
  await expect(app.getByText('annual_income must be a number, such as 42 or 3.5.')).toBeVisible();
  await expect(stale).toContainText('fix the marked fields');
  await expect(prediction).toHaveAttribute('data-stale', 'invalid');

  // Predicting the new payload gives a fresh, current answer.
  await app.getByLabel('annual_income').fill('20000');
  await app.getByLabel('annual_income').press('Enter');
  await expect(stale).toHaveCount(0);
  await expect(app.getByTestId('probability')).not.toHaveText(first ?? '');
});

test('a ZipMap model shows every class probability', async ({ app, appMode }) => {
  // The fixture's row in the one model-file table: onnxruntime's probabilities before the ZipMap.
  const row = modelRow('tests/fixtures/onnx/zipmap_multiclass_str.onnx');
  const fixture = { ...payloadReferenceOf(row), classLabels: row.classLabels ?? [] };
  await app
    .getByTestId('open-file-input')
    .setInputFiles(path.join(fixturesDir, 'zipmap_multiclass_str.onnx'));
  await expect(app.getByTestId('model-task')).toHaveText('Multiclass classification');
  await app.getByTestId('payload-json').fill(JSON.stringify(fixture.rows[2]));
  await app.getByRole('button', { name: 'Predict' }).click();
  const bars = app.getByTestId('class-probabilities');
  for (const [index, label] of fixture.classLabels.entries()) {
    await expect(bars.locator(`[data-class="${label}"]`)).toHaveText(
      fixture.probabilities![2]![index]!.toFixed(4),
    );
  }
  await saveScreenshot(app, 'zipmap-prediction', appMode);
});

test('the form and the tabs work from the keyboard alone', async ({ app }) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByLabel('lead_source').focus();
  await app.keyboard.type('referral');
  await app.keyboard.press('Tab');
  await app.keyboard.type('3');
  await app.keyboard.press('Tab');
  await app.keyboard.type('48000');
  await app.keyboard.press('Enter');
  await expect(app.getByTestId('prediction')).toBeVisible();
  await expect(app.getByTestId('warnings')).toHaveCount(0);

  await app.getByRole('tab', { name: 'Try' }).focus();
  await app.keyboard.press('ArrowRight');
  await expect(app.getByRole('tab', { name: 'Batch' })).toHaveAttribute('aria-selected', 'true');
  await expect(app.getByRole('tab', { name: 'Batch' })).toBeFocused();
});
