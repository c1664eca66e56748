import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { writeLeadCsv } from '../scripts/generate-leads.ts';
import { cli, expect, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';

const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

interface ScoreJson {
  rows: number;
  scored: number;
  failed: number;
  outputPath: string;
  metrics: {
    rocAuc: number;
    logLoss: number;
    accuracy: number;
    confusion: { tp: number; fp: number; tn: number; fn: number };
  };
}

const probabilities = async (file: string) =>
  (parse(await readFile(file), { columns: true }) as Record<string, string>[]).map((row) =>
    Number(row.predicted_probability),
  );

test('scoring the lead dataset in the UI matches the CLI row for row, with the missing-value policy and metrics', async ({
  app,
  appMode,
  workDir,
}) => {
  const cliOut = path.join(workDir, `cli-${appMode}-${Date.now()}.csv`);
  const expected = await cli<ScoreJson>(
    'score',
    sampleModel,
    leadCsv,
    '--out',
    cliOut,
    '--label-column',
    'converted',
    '--fill',
    'lead_source=NA',
    '--fill',
    'annual_income=0',
  );
  expect(expected).toMatchObject({ rows: 1462, scored: 1462, failed: 0 });

  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch' }).click();
  await app.getByTestId('batch-file-input').setInputFiles(leadCsv);

  await expect(app.getByTestId('batch-detected')).toContainText('utf-8, comma-separated, with a header row');
  await expect(app.getByTestId('batch-preview').locator('tbody tr')).toHaveCount(20);
  await app.setViewportSize({ width: 1280, height: 800 });
  expect(await app.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);
  // The full-file check shows how many rows each input's policy touches before anything runs;
  // the expected counts come from the CSV itself.
  const leads = parse(await readFile(leadCsv), { columns: true }) as Record<string, string>[];
  const emptyCells = (column: string) => leads.filter((row) => row[column] === '').length;
  expect(emptyCells('lead_source')).toBeGreaterThan(0);
  await expect(app.getByTestId('missing-count-lead_source')).toHaveText(String(emptyCells('lead_source')));
  await expect(app.getByTestId('missing-count-annual_income')).toHaveText(
    String(emptyCells('annual_income')),
  );
  const failing = leads.filter((row) => row.lead_source === '' || row.annual_income === '').length;
  await expect(app.getByTestId('batch-check-summary')).toContainText(`1,462 rows; ${failing} would fail`);

  await app.getByTestId('missing-policy-lead_source').selectOption('fill');
  await expect(app.getByTestId('missing-fill-lead_source')).toHaveValue('NA');
  await app.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(app.getByTestId('missing-fill-annual_income')).toHaveValue('0');
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows; 0 would fail');
  await expect(app.getByTestId('batch-label-column')).toHaveValue('converted');
  await saveScreenshot(app, 'batch-setup', appMode);

  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-report')).toBeVisible({ timeout: 30_000 });
  await expect(app.getByTestId('batch-scored')).toHaveText('1,462');
  await expect(app.getByTestId('metric-auc')).toHaveText(expected.metrics.rocAuc.toFixed(4));
  await expect(app.getByTestId('metric-logloss')).toHaveText(expected.metrics.logLoss.toFixed(4));
  await expect(app.getByTestId('metric-accuracy')).toHaveText(expected.metrics.accuracy.toFixed(4));
  await expect(app.getByTestId('chart-roc').locator('canvas')).toBeVisible();
  await expect(app.getByTestId('chart-calibration').locator('canvas')).toBeVisible();
  await expect(app.getByTestId('chart-histogram').locator('canvas')).toBeVisible();
  await expect(app.getByTestId('confusion-matrix')).toContainText(String(expected.metrics.confusion.tp));
  // The report fits a 1280×800 window: wide tables scroll inside their own box, not the page.
  await app.setViewportSize({ width: 1280, height: 800 });
  const pageWidth = () => app.evaluate(() => document.documentElement.scrollWidth);
  expect(await pageWidth()).toBeLessThanOrEqual(1280);
  await saveScreenshot(app, 'batch-report', appMode);
  await app.getByRole('button', { name: /^Show all/ }).click();
  expect(await pageWidth()).toBeLessThanOrEqual(1280);

  // The UI's output file (written by main) has, row for row, the probabilities the CLI wrote.
  const uiOut = (await app.getByTestId('batch-output-path').textContent()) ?? '';
  expect(await probabilities(uiOut)).toEqual(await probabilities(cliOut));

  // Moving the threshold changes the confusion matrix without another run.
  const before = await app.getByTestId('confusion-matrix').textContent();
  await app.getByTestId('batch-threshold').fill('0.8');
  await expect(app.getByTestId('batch-threshold-value')).toHaveText('0.80');
  await expect(app.getByTestId('confusion-matrix')).not.toHaveText(before ?? '');

  await app.getByTestId('batch-save-report').click();
  await expect(app.getByTestId('batch-report-saved')).toBeVisible();
  const reportPath = (await app.getByTestId('batch-report-path').inputValue()) ?? '';
  const html = await readFile(reportPath, 'utf8');
  expect(html).toContain('<svg');
  expect(html).toContain('Confusion matrix at threshold 0.8');
  expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//);

  // Scoring again to the same file asks before replacing it.
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-error')).toContainText('already exists');
  await app.getByTestId('batch-confirm-overwrite').click();
  await expect(app.getByTestId('batch-scored')).toHaveText('1,462');
});

test('a CSV without a column for an input blocks the run with a message', async ({ app, workDir }) => {
  const file = path.join(workDir, 'renamed.csv');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(file, 'source,courses,annual_income\nreferral,2,50000\n');
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch' }).click();
  await app.getByTestId('batch-file-input').setInputFiles(file);
  await expect(app.getByTestId('batch-blocked')).toHaveText(
    'Choose a column for lead_source, number_of_courses_viewed before scoring.',
  );
  await expect(app.getByTestId('batch-run')).toBeDisabled();
  await app.getByLabel('Column for lead_source').selectOption('source');
  await app.getByLabel('Column for number_of_courses_viewed').selectOption('courses');
  await expect(app.getByTestId('batch-blocked')).toHaveCount(0);
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-scored')).toHaveText('1');
});

test('a long run shows progress, the app stays responsive, and cancel removes the partial output', async ({
  app,
  workDir,
}) => {
  const file = path.join(workDir, 'many-leads.csv');
  await writeLeadCsv(file, 1_500_000, 3); // long enough that the run is still going when cancel is clicked
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch' }).click();
  await app.getByTestId('batch-file-input').setInputFiles(file);
  await app.getByTestId('missing-policy-lead_source').selectOption('fill');
  await app.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,500,000 rows; 0 would fail');
  const outputPath = await app.getByTestId('batch-output-path-input').inputValue();
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-progress')).toContainText('rows/s');
  // Other calls are answered while the worker scores.
  await app.getByRole('tab', { name: 'Try' }).click();
  await app.getByLabel('lead_source').selectOption('paid_ads');
  await app.getByLabel('number_of_courses_viewed').fill('2');
  await app.getByLabel('annual_income').fill('50000');
  await app.getByLabel('annual_income').press('Enter');
  await expect(app.getByTestId('probability')).toBeVisible();
  await app.getByRole('tab', { name: 'Batch' }).click();
  await expect(app.getByTestId('batch-progress')).toBeVisible();
  await app.getByTestId('batch-cancel').click();
  await expect(app.getByTestId('batch-error')).toHaveText(
    'Scoring was cancelled; no output file was written.',
  );
  const { readdir } = await import('node:fs/promises');
  const folder = path.dirname(outputPath);
  expect((await readdir(folder)).filter((name) => name.includes(path.basename(outputPath)))).toEqual([]);
});
