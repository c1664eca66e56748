import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, guidePayload, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';

const v2Model = path.join(repoRoot, 'tests/fixtures/library/lead_scoring_v2.onnx');
const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');
const versions = JSON.parse(
  await readFile(path.join(repoRoot, 'tests/fixtures/library/lead_scoring_versions.json'), 'utf8'),
) as { v1: { probabilities: number[] }; v2: { probabilities: number[] } };

/** The model view's "Samples & compare" tab, which stacks samples, what-if, compare and drift. */
async function showLibraryTools(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Samples & compare', exact: true }).click();
  await expect(page.getByRole('region', { name: 'Golden samples' })).toBeVisible();
}

async function openModel(page: Page, file: string) {
  await page.getByTestId('open-file-input').first().setInputFiles(file);
  await expect(
    page.getByTestId('model-card').getByRole('heading', { name: path.basename(file) }),
  ).toBeVisible();
}

test('golden samples, what-if and compare in the app', async ({ app, appMode }) => {
  // v2 first, so the sample model is the open one (model A) afterwards.
  await openModel(app, v2Model);
  await openModel(app, sampleModel);

  await showLibraryTools(app);
  const samples = app.getByRole('region', { name: 'Golden samples' });
  const payloadBox = samples.getByLabel('Payload (JSON)');
  if (await payloadBox.isVisible()) await payloadBox.fill(JSON.stringify(guidePayload));
  await samples.getByLabel('Sample name').fill('guide example');
  await samples.getByRole('button', { name: 'Save current payload as sample' }).click();
  await expect(samples.getByTestId('sample-row')).toContainText('guide example');
  await samples.getByRole('button', { name: 'Run all samples' }).click();
  await expect(samples.getByTestId('samples-summary')).toHaveText('1 passed, 0 failed');

  const whatIf = app.getByRole('region', { name: 'What-if' });
  const whatIfPayload = whatIf.getByLabel('Payload (JSON)');
  if (await whatIfPayload.isVisible()) await whatIfPayload.fill(JSON.stringify(guidePayload));
  await whatIf.getByLabel('Vary').selectOption('number_of_courses_viewed');
  await whatIf.getByRole('button', { name: 'Plot' }).click();
  await expect(whatIf.getByTestId('whatif-caption')).toContainText(
    'number_of_courses_viewed over 0 to twice',
  );
  await expect(
    whatIf.getByRole('img', { name: /Probability as number_of_courses_viewed varies/ }),
  ).toBeVisible();

  const compare = app.getByRole('region', { name: 'Compare versions' });
  // The label's name and version depend on what this worker's library already holds (versions follow
  // lineage), so pick Model B by its file.
  const modelB = compare.getByLabel('Model B');
  const v2Option = modelB.locator('option', { hasText: '(lead_scoring_v2.onnx)' });
  await modelB.selectOption((await v2Option.getAttribute('value')) ?? '');
  // The CSV is read with Batch's settings panel: fill the empty cells as the scikit-learn reference did.
  await compare.getByTestId('compare-csv-input').setInputFiles(leadCsv);
  await expect(compare.getByTestId('batch-check-summary')).toContainText('1,462 rows; 292 would fail');
  await compare.getByTestId('missing-policy-lead_source').selectOption('fill');
  await compare.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(compare.getByTestId('batch-check-summary')).toContainText('1,462 rows; 0 would fail');
  await compare.getByTestId('compare-csv-run').click();
  const flips = versions.v1.probabilities.filter(
    (p, i) => p >= 0.5 !== versions.v2.probabilities[i]! >= 0.5,
  ).length;
  await expect(compare.getByTestId('compare-flips')).toContainText(`${flips} (`, { timeout: 30_000 });
  // The CSV preview scrolls inside its own box: the panel never runs wider than its card.
  expect(await compare.evaluate((element) => element.scrollWidth - element.clientWidth)).toBeLessThanOrEqual(
    0,
  );
  await saveScreenshot(app, 'library-compare', appMode);
});
