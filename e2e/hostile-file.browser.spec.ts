// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
// Issue 18: a hostile model file is read off the thread that answers calls, so while one tab opens it
// the app keeps working — a second tab on the same host opens a model and predicts — and the file
// ends in a clear refusal. The file is a 600 KB joblib holding one 600 MB text
// (tests/fixtures/pickle/limits/, made by scripts/fixtures/pickle/make_hostile_limits.py).
import path from 'node:path';
import { expect, guidePayload, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';

const hostile = path.join(repoRoot, 'tests/fixtures/pickle/limits/binstring_600mb.joblib');

test('opening a hostile file leaves the app usable meanwhile, then refuses it clearly', async ({
  app,
  appMode,
  context,
  webHost,
}) => {
  await app.getByTestId('open-file-input').setInputFiles(hostile);
  await expect(app.getByTestId('opening')).toBeVisible();

  const other = await context.newPage();
  await other.goto(webHost.url);
  const started = Date.now();
  await other.getByTestId('open-file-input').setInputFiles(sampleModel);
  await other.getByTestId('payload-json').fill(JSON.stringify(guidePayload));
  await other.getByLabel('annual_income').press('Enter');
  await expect(other.getByTestId('label')).toBeVisible();
  const usedWithin = Date.now() - started;

  const error = app.getByTestId('open-error');
  await expect(error).toBeVisible({ timeout: 20_000 });
  await expect(error).toHaveAttribute('data-code', 'refused-pickle');
  await expect(error).toContainText(
    'refused: the file holds a text of 600 MB (a BINSTRING at byte 2); ModelDock reads texts of up to 256 MB',
  );
  await expect(error).toContainText('A model file never needs this much');
  await saveScreenshot(app, 'hostile-file-refused', appMode);
  expect(usedWithin).toBeLessThan(15_000);
  await other.close();
});
