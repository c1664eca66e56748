import { readFileSync, writeFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { writeLeadCsv } from '../scripts/generate-leads.ts';
import { expect, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';

const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

/** The lead file with `webinar` (a source the model was not trained on) on its first 282 rows with a source. */
function webinarFile(dir: string): string {
  const [header, ...rows] = readFileSync(leadCsv, 'utf8').trimEnd().split('\n');
  let left = 282;
  const changed = rows.map((row) => {
    if (left === 0 || row.startsWith(',')) return row;
    left--;
    return row.replace(/^[^,]*/, 'webinar');
  });
  const file = path.join(dir, 'webinar-leads.csv');
  writeFileSync(file, `${[header, ...changed].join('\n')}\n`);
  return file;
}

test('unseen categories are reported before the run and after it; strict mode makes them failing rows', async ({
  app,
  appMode,
  workDir,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch', exact: true }).click();
  await app.getByTestId('batch-file-input').setInputFiles(webinarFile(workDir));
  await app.getByTestId('missing-policy-lead_source').selectOption('fill');
  await app.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(app.getByTestId('batch-check-summary')).toContainText(
    '1,462 rows; 0 would fail with these settings; 282 with an unseen lead_source',
  );
  await expect(app.getByTestId('unseen-lead_source')).toHaveText('“webinar” 282');
  await expect(app.getByTestId('batch-check-unseen')).toContainText('“webinar” 282');

  await app.getByTestId('csv-strict-categories').getByRole('checkbox').check();
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows; 282 would fail');
  await app.getByTestId('csv-strict-categories').getByRole('checkbox').uncheck();
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows; 0 would fail');

  await app
    .getByTestId('batch-output-path-input')
    .fill(path.join(workDir, `webinar-${appMode}-${Date.now()}.csv`));
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-scored')).toHaveText('1,462', { timeout: 30_000 });
  await expect(app.getByTestId('batch-summary-unseen')).toContainText(
    'lead_source has values the model was not trained on: “webinar” 282',
  );
  await saveScreenshot(app, 'batch-unseen-categories', appMode);
});

test('a ; file with decimal commas is read as such, and blocked with the reason when forced to plain numbers', async ({
  app,
  appMode,
  workDir,
}) => {
  const [header, ...rows] = readFileSync(leadCsv, 'utf8').trimEnd().split('\n');
  const european = [header!, ...rows.map((row) => row.replace(/^([^,]*,[^,]*,[^,]*,)(\d+),/, '$1$2.25,'))]
    .map((line) =>
      line
        .split(',')
        .map((cell) => cell.replace(/^(\d+)\.(\d+)$/, '$1,$2'))
        .join(';'),
    )
    .join('\r\n');
  const file = path.join(workDir, 'european-leads.csv');
  writeFileSync(file, `${european}\r\n`);
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch', exact: true }).click();
  await app.getByTestId('batch-file-input').setInputFiles(file);
  await expect(app.getByTestId('batch-detected')).toContainText('semicolon-separated');
  await expect(app.getByTestId('batch-detected')).toContainText('numbers like 1.234,5');
  await expect(app.getByTestId('batch-number-format')).toHaveValue('decimal-comma');
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows; 292 would fail');
  await expect(app.getByTestId('batch-blocked')).toHaveCount(0);

  await app.getByTestId('batch-number-format').selectOption('plain');
  await expect(app.getByTestId('batch-blocked')).toContainText('rows would fail with these settings');
  await expect(app.getByTestId('batch-blocked')).toContainText('has a decimal comma');
  await expect(app.getByTestId('batch-run')).toBeDisabled();
  await saveScreenshot(app, 'batch-european-blocked', appMode);
});

test('Cancel in the metrics stage of a large labelled run leaves no output', async ({ app, workDir }) => {
  const file = path.join(workDir, 'many-labelled-leads.csv');
  await writeLeadCsv(file, 1_500_000, 5);
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch', exact: true }).click();
  await app.getByTestId('batch-file-input').setInputFiles(file);
  await app.getByTestId('missing-policy-lead_source').selectOption('fill');
  await app.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,500,000 rows; 0 would fail', {
    timeout: 60_000,
  });
  await app.getByTestId('batch-label-column').selectOption('converted');
  const outputPath = await app.getByTestId('batch-output-path-input').inputValue();
  await app.getByTestId('batch-run').click();
  // Every byte read, the workers sort the labelled scores and the service joins the parts: the bar names
  // that stage, and Cancel still works there.
  await app.waitForFunction(
    () =>
      /Computing metrics|Writing the output/.test(
        document.querySelector('[data-testid="batch-progress"]')?.textContent ?? '',
      ),
    undefined,
    { polling: 'raf', timeout: 120_000 },
  );
  await app.getByTestId('batch-cancel').click();
  await expect(app.getByTestId('batch-error')).toHaveText(
    'Scoring was cancelled; no output file was written.',
  );
  const folder = path.dirname(outputPath);
  expect((await readdir(folder)).filter((name) => name.includes(path.basename(outputPath)))).toEqual([]);
});
