import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';
import { leadCsv, scoreLeads } from './score-leads.ts';

/** Issue 13's "done when": whom to call (capacity), which model is better (Compare), and yesterday's run. */
const v2Model = path.join(repoRoot, 'tests/fixtures/library/lead_scoring_v2.onnx');

test('whom to call: 10 % of the leads gives the threshold and the conversions; gains by decile; the run is kept and reopens', async ({
  app,
  appMode,
}) => {
  await scoreLeads(app);
  await expect(app.getByTestId('gains-table')).toBeVisible();
  await expect(app.getByTestId('capacity-table')).toBeVisible();
  await expect(app.getByTestId('chart-pr').locator('canvas')).toBeVisible();

  // Capacity → threshold: the slider moves; slider → capacity: the sentence follows.
  await app.getByTestId('capacity-input').fill('10%');
  await expect(app.getByTestId('capacity-result')).toContainText('selects 146 of 1,462 rows');
  const threshold = Number(await app.getByTestId('batch-threshold').inputValue());
  expect(threshold).toBeGreaterThan(0.5);
  const conversions = Number(
    (await app.getByTestId('capacity-conversions').textContent())?.replace(/,/g, ''),
  );
  // The capacity table's 10 % row says the same.
  await expect(app.getByTestId('capacity-table').locator('tbody tr').nth(1)).toContainText(
    String(conversions),
  );
  await app.getByTestId('batch-threshold').fill('0.9');
  await expect(app.getByTestId('capacity-input')).toHaveValue('');
  await expect(app.getByTestId('capacity-result')).toContainText('Score ≥ 0.9000 selects');
  await saveScreenshot(app, 'batch-capacity', appMode);

  // The saved report is auditable.
  await app.getByTestId('batch-save-report').click();
  await expect(app.getByTestId('batch-report-saved')).toBeVisible();
  const html = await readFile(await app.getByTestId('batch-report-path').inputValue(), 'utf8');
  const sha256 = (await app.getByTestId('sha256').textContent())?.trim() ?? '';
  expect(html).toContain(sha256);
  expect(html).toContain('course_lead_scoring.csv');
  expect(html).toContain('Input SHA-256');
  expect(html).toContain('<h2>Gains and lift by decile</h2>');

  // Run history, in the Library view: listed, reopened with one click.
  await app.getByRole('button', { name: 'Library' }).click();
  const row = app.getByTestId('run-row').first();
  await expect(row).toContainText('lead_scoring v1');
  await expect(row).toContainText('course_lead_scoring.csv');
  await row.getByTestId('run-reopen').click();
  await expect(app.getByTestId('run-reopened').getByTestId('batch-report')).toBeVisible();
  await expect(app.getByTestId('run-facts')).toContainText(sha256);
  await saveScreenshot(app, 'run-history', appMode);
});

test('which model is better: Compare against the label gives the figures side by side and DeLong in one sentence', async ({
  app,
  appMode,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(v2Model);
  await expect(app.getByRole('heading', { name: 'lead_scoring_v2.onnx', level: 1 })).toBeVisible();
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(app.getByRole('heading', { name: 'lead_scoring.onnx', level: 1 })).toBeVisible();
  await app.getByRole('tab', { name: 'Samples & compare' }).click();
  const compare = app.getByRole('region', { name: 'Compare versions' });
  const modelB = compare.getByLabel('Model B');
  const v2Option = modelB.locator('option', { hasText: '(lead_scoring_v2.onnx)' });
  await modelB.selectOption((await v2Option.getAttribute('value')) ?? '');
  await compare.getByTestId('compare-csv-input').setInputFiles(leadCsv);
  await compare.getByTestId('missing-policy-lead_source').selectOption('fill');
  await compare.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(compare.getByTestId('batch-check-summary')).toContainText('1,462 rows; 0 would fail');
  await expect(compare.getByTestId('compare-label-column')).toHaveValue('converted');
  await compare.getByTestId('compare-csv-run').click();
  const verdict = compare.getByTestId('compare-verdict');
  await expect(verdict).toContainText('AUC is 0.008 higher than', { timeout: 30_000 });
  await expect(verdict).toContainText('95 % CI 0.001–0.016, p = 0.029: the difference is real.');
  await expect(compare.getByTestId('compare-metrics')).toContainText('ROC AUC');
  for (const chart of ['compare-roc', 'compare-pr', 'compare-calibration', 'compare-gains-chart'])
    await expect(compare.getByTestId(chart).locator('canvas')).toBeVisible();
  await expect(compare.getByTestId('gains-table')).toBeVisible();
  await compare.getByTestId('compare-decisions').scrollIntoViewIfNeeded();
  await saveScreenshot(app, 'compare-decisions', appMode);

  await app.getByRole('button', { name: 'Library' }).click();
  const row = app.getByTestId('run-row').filter({ hasText: 'Compare' }).first();
  await row.getByTestId('run-reopen').click();
  await expect(app.getByTestId('run-reopened').getByTestId('compare-verdict')).toContainText(
    'the difference is real',
  );
});
