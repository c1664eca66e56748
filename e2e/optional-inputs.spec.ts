import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { cli, expect, repoRoot, test } from './fixtures.ts';

// The guide's own pickle: a DictVectorizer, so scikit-learn scores a lead whose income is unknown.
const guidePickle = path.join(repoRoot, 'tests/fixtures/sklearn/pipeline_v1.bin');
const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

interface PredictJson {
  probability?: number;
}

test('a scikit-learn model: an empty optional field is left out of the payload and predicts what scikit-learn does', async ({
  app,
}) => {
  // Row 58 of the guide_pipeline reference (tests/fixtures/models.json, pipeline_v1.bin): sklearn's predict_proba
  // is 0.5467765713622359 for it; a missing DictVectorizer key counts as 0, as its income of 0 does.
  const withoutIncome = { lead_source: 'NA', number_of_courses_viewed: 1 };
  const expected = await cli<PredictJson>('predict', guidePickle, '--input', JSON.stringify(withoutIncome));
  expect(expected.probability).toBeCloseTo(0.5467765713622359, 9);

  await app.getByTestId('open-file-input').setInputFiles(guidePickle);
  await expect(app.getByTestId('model-card').getByRole('heading', { name: 'pipeline_v1.bin' })).toBeVisible();
  const income = app.getByLabel('annual_income');
  await expect(income).toHaveAccessibleDescription(/may be left out/);
  await app.getByLabel('lead_source').selectOption('NA');
  await app.getByLabel('number_of_courses_viewed').fill('1');
  expect(JSON.parse(await app.getByTestId('payload-json').inputValue())).toEqual(withoutIncome);

  const sent: unknown[] = [];
  app.on('request', (request) => {
    if (request.url().includes('/api/call/model.predict')) sent.push(request.postDataJSON());
  });
  await income.press('Enter');
  await expect(app.getByTestId('probability-percent')).toHaveText('54.7%');
  expect(Number(await app.getByTestId('probability').textContent())).toBeCloseTo(expected.probability!, 6);
  await expect(app.getByText(/Enter a (number|value) for/)).toHaveCount(0);
  expect(sent).toHaveLength(1);
  expect(JSON.stringify(sent)).not.toContain('annual_income');
});

test('batch mapping for a scikit-learn model: empty cells are left out by default, and counted', async ({
  app,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(guidePickle);
  await expect(app.getByTestId('model-card').getByRole('heading', { name: 'pipeline_v1.bin' })).toBeVisible();
  await app.getByRole('tab', { name: 'Batch' }).click();
  await app.getByTestId('batch-file-input').setInputFiles(leadCsv);

  const leads = parse(await readFile(leadCsv), { columns: true }) as Record<string, string>[];
  const emptyIncomes = leads.filter((row) => row.annual_income === '').length;
  expect(emptyIncomes).toBeGreaterThan(0);
  const policy = app.getByTestId('missing-policy-annual_income');
  await expect(policy).toHaveValue('omit');
  await expect(policy.locator('option:checked')).toHaveText('leave it out (as scikit-learn does)');
  await expect(app.getByTestId('missing-count-annual_income')).toContainText(
    `${emptyIncomes.toLocaleString('en-US')} left out`,
  );
  await expect(app.getByTestId('batch-check-summary')).toContainText('0 would fail');
});
