import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, guidePayload, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';
import { detachReferences } from './library-state.ts';

const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

// The reference attached below would otherwise stay on the sample model for later specs in this worker.
test.afterEach(async ({ appMode, webHost }) => {
  if (appMode === 'browser') await detachReferences(webHost);
});

async function contributions(page: Page): Promise<Record<string, number>> {
  const rows = page.getByTestId('explanation').getByTestId('contribution');
  await expect(rows).toHaveCount(3);
  const out: Record<string, number> = {};
  for (const row of await rows.all()) {
    out[(await row.getAttribute('data-input'))!] = Number(await row.getAttribute('data-contribution'));
  }
  return out;
}

test('the contribution chart appears beside a prediction and follows the payload', async ({
  app,
  appMode,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  // Background rows: the lead CSV attached as the model's reference (Samples & compare → Drift).
  await app.getByRole('tab', { name: 'Samples & compare', exact: true }).click();
  const driftPanel = app.getByRole('region', { name: 'Drift', exact: true });
  // Enabled once the library entry is loaded: a file set before that would be dropped.
  await expect(driftPanel.getByTestId('drift-reference-input')).toBeEnabled();
  await driftPanel.getByTestId('drift-reference-input').setInputFiles(leadCsv);
  await expect(driftPanel.getByTestId('drift-reference')).toContainText('course_lead_scoring.csv');
  await app.getByRole('tab', { name: 'Try', exact: true }).click();

  await app.getByTestId('payload-json').fill(JSON.stringify({ ...guidePayload, lead_source: 'paid_ads' }));
  await app.getByLabel('annual_income').press('Enter');
  const explanation = app.getByTestId('explanation');
  await expect(explanation.getByTestId('explanation-summary')).toContainText(
    /Pushed up by|Nothing pushed it up/,
  );
  const first = await contributions(app);
  // The bars add up from the base value to the score the prediction shows.
  const base = Number(await explanation.getByTestId('explanation-base').textContent());
  const score = Number(await app.getByTestId('probability').textContent());
  const total = Object.values(first).reduce((sum, value) => sum + value, 0);
  expect(base + total).toBeCloseTo(score, 3);
  await expect(explanation).toContainText('against 1,000 rows of the reference CSV attached in the library');
  // Largest first.
  const sizes = (await explanation.getByTestId('contribution').all()).map((row) =>
    row.getAttribute('data-contribution'),
  );
  const magnitudes = (await Promise.all(sizes)).map((value) => Math.abs(Number(value)));
  expect([...magnitudes].sort((a, b) => b - a)).toEqual(magnitudes);
  await saveScreenshot(app, 'explanation', appMode);
  await app.emulateMedia({ colorScheme: 'dark' });
  await saveScreenshot(app, 'explanation-dark', appMode);
  await app.emulateMedia({ colorScheme: 'light' });

  // Another payload: the chart is dimmed until Predict, then explains the new prediction.
  await app.getByLabel('annual_income').fill('20000');
  await expect(explanation).toHaveClass(/stale/);
  await app.getByLabel('annual_income').press('Enter');
  await expect(explanation).not.toHaveClass(/stale/);
  await expect.poll(async () => (await contributions(app)).annual_income).not.toBe(first.annual_income);
  await expect(
    explanation.getByTestId('contribution').filter({ hasText: 'annual_income = 20000' }),
  ).toHaveCount(1);
});

test('the export dialog offers POST /explain and says the background rows are data', async ({
  app,
  appMode,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Export', exact: true }).click();
  const option = app.getByLabel('Answer POST /explain (why a payload scores what it does)');
  await expect(option).not.toBeChecked();
  await expect(app.getByTestId('export-panel')).toContainText('They are your data');
  await option.check();
  await saveScreenshot(app, 'export-explain', appMode);
});

test('a batch run with explanations adds sorted driver columns and shows what drives the scores', async ({
  app,
  appMode,
  workDir,
}) => {
  const guide = path.join(repoRoot, 'tests/fixtures/sklearn/pipeline_v1.bin');
  const hundred = path.join(repoRoot, 'tests/fixtures/explain/lead_background_100.csv');
  await app.getByTestId('open-file-input').setInputFiles(guide);
  await app.getByRole('tab', { name: 'Samples & compare', exact: true }).click();
  const driftPanel = app.getByRole('region', { name: 'Drift', exact: true });
  // Enabled once the library entry is loaded: a file set before that would be dropped.
  await expect(driftPanel.getByTestId('drift-reference-input')).toBeEnabled();
  await driftPanel.getByTestId('drift-reference-input').setInputFiles(hundred);
  await expect(driftPanel.getByTestId('drift-reference')).toContainText('lead_background_100.csv');

  await app.getByRole('tab', { name: 'Batch', exact: true }).click();
  await app.getByTestId('batch-file-input').setInputFiles(hundred);
  await expect(app.getByTestId('batch-explain-option')).not.toBeChecked();
  await app.getByTestId('batch-explain-option').check();
  await expect(app.getByTestId('batch-explain-cost')).toContainText('701 model rows per scored row');
  const output = path.join(workDir, `explained-${appMode}-${Date.now()}.csv`);
  await app.getByTestId('batch-output-path-input').fill(output);
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-scored')).toHaveText('100', { timeout: 60_000 });
  await expect(app.getByTestId('batch-importance')).toContainText('number_of_courses_viewed');
  await saveScreenshot(app, 'batch-explain', appMode);

  // This file has no quoted fields: its lines split on commas.
  const lines = (await readFile(output, 'utf8')).trim().split('\n');
  const header = lines[0]!.split(',');
  expect(header.slice(-6)).toEqual([
    'driver_1',
    'driver_1_contribution',
    'driver_2',
    'driver_2_contribution',
    'driver_3',
    'driver_3_contribution',
  ]);
  for (const line of lines.slice(1)) {
    const sizes = line
      .split(',')
      .slice(-6)
      .filter((_, k) => k % 2 === 1 && _ !== '')
      .map((cell) => Math.abs(Number(cell)));
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
  }
});
