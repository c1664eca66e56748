import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';
import { detachReferences } from './library-state.ts';

const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

// The reference attached below would otherwise stay on the sample model for later specs in this worker.
test.afterEach(async ({ appMode, webHost }) => {
  if (appMode === 'browser') await detachReferences(webHost);
});

test('Export watches drift against the attached reference by default, carrying its profile, never its rows', async ({
  app,
  appMode,
  workDir,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Export' }).click();
  // No reference attached: the option is off and says how to get it.
  const watch = app.getByLabel('Watch for drift in production');
  await expect(watch).toBeDisabled();
  await expect(watch).not.toBeChecked();
  await expect(app.getByText('Attach a reference CSV to this model in the library')).toBeVisible();

  await app.getByRole('tab', { name: 'Samples & compare', exact: true }).click();
  const driftPanel = app.getByRole('region', { name: 'Drift', exact: true });
  // Enabled once the library entry is loaded: a file set before that would be dropped.
  await expect(driftPanel.getByTestId('drift-reference-input')).toBeEnabled();
  await driftPanel.getByTestId('drift-reference-input').setInputFiles(leadCsv);
  await expect(driftPanel.getByTestId('drift-reference')).toContainText('course_lead_scoring.csv');

  await app.getByRole('tab', { name: 'Export' }).click();
  await expect(watch).toBeEnabled();
  await expect(watch).toBeChecked();
  await expect(
    app.getByText(/course_lead_scoring\.csv, 1,462 rows\).*profile only.*never its rows/),
  ).toBeVisible();
  await saveScreenshot(app, 'export-drift-option', appMode);

  const target = path.join(workDir, `bundle-drift-${appMode}-${Date.now()}`);
  await app.getByLabel('Service name').fill('lead-scoring');
  await app.getByLabel('Target folder').fill(target);
  await app.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(app.getByTestId('export-drift')).toContainText('3 inputs and the score');
  // The lead data's empty cells in two required inputs are left out of their profiles, and the dialog says so.
  await expect(app.getByTestId('export-drift-left-out')).toHaveText(
    'Left out of the reference profile: 128 empty lead_source cells and 181 empty annual_income cells (the service requires these inputs, so it never scores an empty one; the other shares are renormalised).',
  );
  await saveScreenshot(app, 'export-drift-done', appMode);
  const profile = JSON.parse(await readFile(path.join(target, 'drift', 'reference-profile.json'), 'utf8'));
  expect(profile.reference).toEqual({
    fileName: 'course_lead_scoring.csv',
    rows: 1462,
    emptyCellsLeftOut: { lead_source: 128, annual_income: 181 },
  });

  // Unticked, the next bundle has no drift profile.
  const second = `${target}-off`;
  await watch.uncheck();
  await app.getByLabel('Target folder').fill(second);
  await app.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(app.getByTestId('export-done')).toBeVisible();
  await expect(app.getByTestId('export-drift')).toHaveCount(0);
  expect(existsSync(path.join(second, 'drift'))).toBe(false);
});
