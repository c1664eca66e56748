import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';
import { detachReferences } from './library-state.ts';

const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

// The reference attached below would otherwise stay on the sample model for later specs in this worker.
test.afterEach(async ({ appMode, webHost }) => {
  if (appMode === 'browser') await detachReferences(webHost);
});

test('a batch run shows drift against the attached reference, and says where to attach one', async ({
  app,
  appMode,
  workDir,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch', exact: true }).click();
  await app.getByTestId('batch-file-input').setInputFiles(leadCsv);
  await app.getByTestId('missing-policy-lead_source').selectOption('fill');
  await app.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows; 0 would fail');
  const output = app.getByTestId('batch-output-path-input');
  await output.fill(path.join(workDir, `drift-first-${appMode}-${Date.now()}.csv`));
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-scored')).toHaveText('1,462', { timeout: 30_000 });

  // No reference yet: no table, a hint that leads to the place where one is attached.
  const drift = app.getByTestId('batch-drift');
  await expect(drift.getByTestId('batch-drift-hint')).toContainText('No reference CSV is attached');
  await expect(drift.getByTestId('drift-table')).toHaveCount(0);
  await drift.getByRole('button', { name: 'Samples & compare → Drift' }).click();
  const driftPanel = app.getByRole('region', { name: 'Drift', exact: true });
  await expect(driftPanel).toBeVisible();
  // The Drift panel sits below samples, what-if and compare: the hint scrolls to it and focuses its heading.
  await expect(driftPanel).toBeInViewport();
  const driftHeading = driftPanel.getByRole('heading', { name: 'Drift', exact: true });
  await expect(driftHeading).toBeInViewport({ ratio: 1 });
  await expect(driftHeading).toBeFocused();
  // Enabled once the library entry is loaded: a file set before that would be dropped.
  await expect(driftPanel.getByTestId('drift-reference-input')).toBeEnabled();
  await driftPanel.getByTestId('drift-reference-input').setInputFiles(leadCsv);
  await expect(driftPanel.getByTestId('drift-reference')).toContainText(
    'Reference: course_lead_scoring.csv (1,462 rows)',
  );

  // The same data scored again against itself as reference: every input and the score are stable.
  await app.getByRole('tab', { name: 'Batch', exact: true }).click();
  await output.fill(path.join(workDir, `drift-second-${appMode}-${Date.now()}.csv`));
  await app.getByTestId('batch-run').click();
  const table = drift.getByTestId('drift-table');
  await expect(table).toBeVisible({ timeout: 30_000 });
  await expect(table).toContainText('against the reference');
  const rowOf = (name: string) =>
    table.getByRole('row').filter({ has: app.getByRole('cell', { name, exact: true }) });
  for (const input of ['lead_source', 'number_of_courses_viewed', 'annual_income']) {
    await expect(rowOf(input)).toContainText('0.000');
    await expect(rowOf(input)).toContainText('stable');
  }
  // The reference's scores are computed without this run's fill values, so the score PSI is small, not 0.
  await expect(rowOf('score distribution')).toContainText('stable');
  await expect(drift.getByTestId('batch-drift-hint')).toHaveCount(0);
  await saveScreenshot(app, 'batch-drift', appMode);

  // Incomes three times the reference's: that input, and the scores it drives, fall in the shifted band.
  const [header, ...lines] = (await readFile(leadCsv, 'utf8')).trimEnd().split('\n');
  const income = header!.split(',').indexOf('annual_income');
  const tripled = lines.map((line) => {
    const cells = line.split(',');
    if (cells[income]) cells[income] = String(Number(cells[income]) * 3);
    return cells.join(',');
  });
  const shiftedCsv = path.join(workDir, `drift-shifted-${appMode}-${Date.now()}.csv`);
  await writeFile(shiftedCsv, `${[header, ...tripled].join('\n')}\n`);
  await app.getByRole('tab', { name: 'Samples & compare', exact: true }).click();
  await driftPanel.getByTestId('drift-check-input').setInputFiles(shiftedCsv);
  const checked = driftPanel.getByTestId('drift-table');
  await expect(checked).toContainText('stable < 0.1 ≤ moderate < 0.25 ≤ shifted', { timeout: 30_000 });
  const checkedRow = (name: string) =>
    checked.getByRole('row').filter({ has: app.getByRole('cell', { name, exact: true }) });
  await expect(checkedRow('annual_income').getByRole('cell', { name: 'shifted', exact: true })).toHaveClass(
    'bad',
  );
  await expect(checkedRow('lead_source')).toContainText('stable');
  await checked.scrollIntoViewIfNeeded();
  await saveScreenshot(app, 'drift-shifted', appMode);
});
