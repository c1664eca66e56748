import { mkdtemp } from 'node:fs/promises';
import path from 'node:path';
import {
  test as base,
  expect,
  guidePayload,
  type OwnWebHost,
  repoRoot,
  sampleModel,
  saveScreenshot,
  startWebHost,
  stopWebHost,
} from './fixtures.ts';

// Version numbers follow what the library already holds, so these tests need an empty one: in browser mode a
// host of their own (the worker's host keeps the models of earlier tests); Electron starts with a fresh profile.
const test = base.extend({
  app: async ({ app, appMode, page, workDir }, use) => {
    if (appMode !== 'browser') {
      await use(app);
      return;
    }
    const host: OwnWebHost = await startWebHost(await mkdtemp(path.join(workDir, 'library-versions-')));
    await page.goto(host.url);
    await use(page);
    await stopWebHost(host);
  },
});

/** Issue 13: versions grouped by lineage, a sortable table, the reference carried over, Export's name, samples. */
const v2Model = path.join(repoRoot, 'tests/fixtures/library/lead_scoring_v2.onnx');
const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

test('v1 and v2 (same inputs) are one model in the library: grouped, in order, the reference carried over, Export named after it', async ({
  app,
  appMode,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(app.getByRole('tab', { name: 'Try' })).toBeVisible();
  await app.getByRole('button', { name: 'Library' }).click();
  const v1 = app.getByRole('listitem', { name: 'lead_scoring v1' });
  await v1.locator('input[type="file"]').setInputFiles(leadCsv);
  await expect(v1).toContainText('Reference: course_lead_scoring.csv (1462 rows)');

  await app.getByTestId('open-file-input').setInputFiles(v2Model);
  // The open is done (and v2 kept) when its card shows; v1's tabs are visible while it opens.
  await expect(app.getByRole('heading', { name: 'lead_scoring_v2.onnx', level: 1 })).toBeVisible();
  await app.getByRole('button', { name: 'Library' }).click();
  const lineage = app.getByTestId('library-lineage').filter({ hasText: 'lead_scoring' });
  await expect(lineage.getByRole('heading')).toContainText('2 versions, same inputs');
  await expect(lineage.getByTestId('library-entry')).toHaveCount(2);
  await expect(lineage.getByTestId('library-entry').first()).toHaveAttribute('aria-label', 'lead_scoring v1');
  const v2 = lineage.getByTestId('library-entry').nth(1);
  await expect(v2).toHaveAttribute('aria-label', 'lead_scoring v2');
  await expect(v2).toContainText('lead_scoring_v2.onnx');
  await expect(v2).toContainText('carried over from v1');
  await saveScreenshot(app, 'library-lineage', appMode);

  await app.getByTestId('library-table-view').click();
  const table = app.getByTestId('library-table');
  await table.getByRole('button', { name: 'Version' }).click();
  await expect(table.getByRole('columnheader', { name: /Version/ })).toHaveAttribute(
    'aria-sort',
    'ascending',
  );
  await expect(table.getByTestId('library-table-row').first()).toContainText('v1');
  await table.getByRole('button', { name: /Version/ }).click();
  await expect(table.getByTestId('library-table-row').first()).toContainText('v2');
  await saveScreenshot(app, 'library-table', appMode);

  // Back to the open model (v2): Export suggests the library's name and version.
  await app.getByRole('button', { name: 'Library' }).click();
  await app.getByRole('tab', { name: 'Export' }).click();
  await expect(app.getByLabel('Service name')).toHaveValue('lead-scoring');
  await expect(app.getByLabel('Version label')).toHaveValue('v2');
});

test('golden samples show their payload and the full |Δp|, and load back into Try', async ({
  app,
  appMode,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  const payload = { ...guidePayload, annual_income: 61234 };
  await app.getByTestId('payload-json').fill(JSON.stringify(payload));
  await app.getByRole('tab', { name: 'Samples & compare' }).click();
  await app.getByLabel('Sample name').fill('income 61234');
  await app.getByRole('button', { name: 'Save current payload as sample' }).click();
  const row = app.getByTestId('sample-row').filter({ hasText: 'income 61234' });
  await expect(row.getByTestId('sample-payload')).toContainText('"annual_income":61234');
  await app.getByRole('button', { name: 'Run all samples' }).click();
  await expect(row.getByTestId('sample-delta')).toHaveText(/^\d/);
  await saveScreenshot(app, 'samples-payload-delta', appMode);

  // Change the Try payload, then load the sample back.
  await app.getByRole('tab', { name: 'Try' }).click();
  await app.getByTestId('payload-json').fill(JSON.stringify({ ...payload, annual_income: 1 }));
  await app.getByRole('tab', { name: 'Samples & compare' }).click();
  await row.getByRole('button', { name: 'Load into Try' }).click();
  await expect(app.getByRole('tab', { name: 'Try' })).toHaveAttribute('aria-selected', 'true');
  await expect(app.getByTestId('payload-json')).toHaveValue(/61234/);
  await expect(app.getByLabel('annual_income')).toHaveValue('61234');
});
