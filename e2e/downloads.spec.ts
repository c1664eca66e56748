import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { downloadBytes } from './download-bytes.ts';
import { expect, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';
import { detachReferences } from './library-state.ts';

const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

test('in browser mode the scored CSV, the errors CSV and the saved report download with their exact bytes', async ({
  app,
  appMode,
  workDir,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch' }).click();
  await app.getByTestId('batch-file-input').setInputFiles(leadCsv);
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows');
  // The default policy fails rows with missing values, so the run writes an errors CSV as well.
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-report')).toBeVisible({ timeout: 30_000 });
  await expect(app.getByTestId('batch-failed')).toBeVisible();

  if (appMode === 'electron') {
    // The files are on the user's own disk already: no download links.
    await expect(app.getByTestId('batch-download-output')).toHaveCount(0);
    return;
  }

  await saveScreenshot(app, 'batch-download-buttons', appMode);
  const outputPath = (await app.getByTestId('batch-output-path').textContent()) ?? '';
  const output = await downloadBytes(app, app.getByTestId('batch-download-output'));
  expect(output.name).toBe(path.basename(outputPath));
  expect(output.bytes.equals(await readFile(outputPath))).toBe(true);
  expect(output.bytes.toString('utf8')).toContain('predicted_probability');

  const errors = await downloadBytes(app, app.getByTestId('batch-download-errors'));
  expect(errors.name).toMatch(/\.csv$/);
  expect(errors.bytes.length).toBeGreaterThan(0);

  // A report saved outside the data directory downloads too: the host produced it in this launch.
  const reportPath = path.join(workDir, `outside-report-${Date.now()}.html`);
  await app.getByTestId('batch-report-path').fill(reportPath);
  await app.getByTestId('batch-save-report').click();
  await expect(app.getByTestId('batch-report-saved')).toBeVisible();
  const report = await downloadBytes(app, app.getByTestId('batch-download-report'));
  expect(report.name).toBe(path.basename(reportPath));
  expect(report.bytes.equals(await readFile(reportPath))).toBe(true);
});

// Attaching a reference changes the model's library entry for every later spec in this worker.
test.afterEach(async ({ appMode, webHost }) => {
  if (appMode === 'browser') await detachReferences(webHost);
});

test('the saved HTML report carries the drift table the Batch tab shows', async ({
  app,
  appMode,
  workDir,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Samples & compare' }).click();
  const driftPanel = app.getByRole('region', { name: 'Drift', exact: true });
  // Enabled once the library entry is loaded: a file set before that would be dropped.
  await expect(driftPanel.getByTestId('drift-reference-input')).toBeEnabled();
  await driftPanel.getByTestId('drift-reference-input').setInputFiles(leadCsv);
  await expect(driftPanel.getByTestId('drift-reference')).toContainText('1,462 rows');

  await app.getByRole('tab', { name: 'Batch', exact: true }).click();
  await app.getByTestId('batch-file-input').setInputFiles(leadCsv);
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows');
  await app.getByTestId('batch-output-path-input').fill(path.join(workDir, `drift-${Date.now()}.csv`));
  await app.getByTestId('batch-run').click();
  const table = app.getByTestId('batch-drift').getByTestId('drift-table');
  await expect(table).toBeVisible({ timeout: 30_000 });
  const reportPath = path.join(workDir, `drift-report-${appMode}-${Date.now()}.html`);
  await app.getByTestId('batch-report-path').fill(reportPath);
  await app.getByTestId('batch-save-report').click();
  await expect(app.getByTestId('batch-report-saved')).toBeVisible();

  const html = await readFile(reportPath, 'utf8');
  expect(html).toContain('<h2>Drift against the reference</h2>');
  // The file shows the PSI the tab shows, input by input.
  for (const input of ['lead_source', 'number_of_courses_viewed', 'annual_income']) {
    const cells = table
      .getByRole('row')
      .filter({ has: app.getByRole('cell', { name: input, exact: true }) })
      .getByRole('cell');
    const psi = (await cells.nth(1).textContent()) ?? '';
    expect(psi).toMatch(/^\d+\.\d{3}$/);
    expect(html).toContain(`<tr><td>${input}</td><td>${psi}</td>`);
  }
  expect(html).toContain('score distribution');
});
