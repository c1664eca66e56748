import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  expect,
  guidePayload,
  repoRoot,
  sampleModel,
  saveScreenshot,
  screenshotDir,
  test,
} from './fixtures.ts';

/** The payloads the page sent to model.predict, in order. */
function recordPredictCalls(app: import('@playwright/test').Page) {
  const sent: { payload: unknown; unknownFields?: string }[] = [];
  app.on('request', (request) => {
    if (request.url().includes('/api/call/model.predict')) sent.push(request.postDataJSON());
  });
  return sent;
}

test('one payload behind the form and the JSON: a removed key clears its field, marks the result stale, and is not sent', async ({
  app,
  appMode,
}) => {
  const sent = recordPredictCalls(app);
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  const json = app.getByTestId('payload-json');
  await json.fill(JSON.stringify({ ...guidePayload, lead_source: 'paid_ads' }));
  await expect(app.getByLabel('lead_source')).toHaveValue('paid_ads');
  await app.getByRole('button', { name: 'Predict' }).click();
  const prediction = app.getByTestId('prediction');
  await expect(prediction).toBeVisible();
  await expect(app.getByTestId('prediction-stale')).toHaveCount(0);

  // The same JSON without lead_source: the field empties and the result no longer answers what is shown.
  const { lead_source: _removed, ...withoutSource } = guidePayload;
  await json.fill(JSON.stringify(withoutSource));
  await expect(app.getByLabel('lead_source')).toHaveValue('');
  await expect(prediction).toHaveAttribute('data-stale', /changed|invalid/);
  await saveScreenshot(app, 'try-key-removed', appMode);

  // A changed field rewrites the JSON; what is sent is exactly what the JSON shows.
  await app.getByLabel('lead_source').selectOption('events');
  expect(JSON.parse(await json.inputValue())).toEqual({ ...withoutSource, lead_source: 'events' });
  await app.getByRole('button', { name: 'Predict' }).click();
  await expect(prediction).not.toHaveAttribute('data-stale');
  expect(sent.at(-1)!.payload).toEqual(JSON.parse(await json.inputValue()));
});

test('fields that are not inputs are sent, ignored with a warning, or refused with the strict setting', async ({
  app,
}) => {
  const sent = recordPredictCalls(app);
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  const record = { ...guidePayload, lead_source: 'events', industry: 'retail' };
  await app.getByTestId('payload-json').fill(JSON.stringify(record));
  await app.getByRole('button', { name: 'Predict' }).click();
  await expect(app.getByTestId('warnings')).toContainText('industry: not an input of this model; ignored.');
  expect(sent.at(-1)).toMatchObject({ payload: record, unknownFields: 'ignore' });

  // The strict setting: the same payload is refused, and the old result is stale (it was not strict).
  await app.getByTestId('strict-fields').check();
  await expect(app.getByTestId('prediction')).toHaveAttribute('data-stale', 'changed');
  await app.getByRole('button', { name: 'Predict' }).click();
  await expect(app.getByTestId('predict-error')).toContainText('industry: is not an input of this model');
  expect(sent.at(-1)).toMatchObject({ payload: record, unknownFields: 'refuse' });
});

test('a model with 19 inputs keeps its prediction beside the inputs, in view; categories are selects', async ({
  app,
  appMode,
}) => {
  const churn = JSON.parse(
    await readFile(path.join(repoRoot, 'tests/fixtures/forms/churn_expected.json'), 'utf8'),
  ) as { customer: Record<string, unknown>; probability: number; inputs: number };
  expect(churn.inputs).toBe(19);
  await app
    .getByTestId('open-file-input')
    .setInputFiles(path.join(repoRoot, 'tests/fixtures/forms/churn_dv_logreg.bin'));
  await expect(
    app.getByTestId('model-card').getByRole('heading', { name: 'churn_dv_logreg.bin' }),
  ).toBeVisible();
  const form = app.getByRole('form', { name: 'Payload' });
  // The 15 categorical inputs (2–4 categories each) are drop-down lists; the 4 numbers are text fields.
  await expect(form.locator('select')).toHaveCount(15);
  await expect(form.locator('input[type="text"]')).toHaveCount(4);
  // "May be left out" once for the whole form, not once per field.
  await expect(app.getByText(/may be left out/)).toHaveCount(1);
  await expect(app.getByLabel('tenure')).toHaveAccessibleDescription(/may be left out/);

  await app.getByTestId('payload-json').fill(JSON.stringify(churn.customer));
  await expect(app.getByLabel('contract')).toHaveValue('month-to-month');
  await app.getByLabel('totalcharges').press('Enter');
  const probability = app.getByTestId('probability');
  await expect(probability).toBeVisible();
  expect(Number(await probability.textContent())).toBeCloseTo(churn.probability, 6);
  // In view without scrolling the page, beside the inputs (to their right).
  await app.evaluate(() => window.scrollTo(0, 0));
  await expect(app.getByTestId('probability-percent')).toBeInViewport();
  const result = (await app.getByTestId('try-result').boundingBox())!;
  const firstField = (await app.getByLabel('gender').boundingBox())!;
  expect(result.x).toBeGreaterThan(firstField.x + firstField.width);
  expect(result.y).toBeLessThan(860);
  await app.screenshot({ path: path.join(screenshotDir, `${appMode}-many-inputs.png`) });

  // Scrolled to the last field, the answer is still in view (its column is sticky).
  await app.getByLabel('totalcharges').scrollIntoViewIfNeeded();
  await app.evaluate(() => window.scrollBy(0, 400));
  await expect(app.getByTestId('probability-percent')).toBeInViewport();
  await app.screenshot({ path: path.join(screenshotDir, `${appMode}-many-inputs-scrolled.png`) });
});
