import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { dropFiles, expect, repoRoot, saveScreenshot, test } from './fixtures.ts';

// The course's module 6: dv.bin and model.bin (an xgb.train Booster) saved side by side, dropped together.
const fixtures = path.join(repoRoot, 'tests/fixtures/xgboost');

test("dropping the course's dv.bin and model.bin together opens one XGBoost pipeline", async ({
  app,
}, testInfo) => {
  const files = await Promise.all(
    [
      ['dv.bin', 'course_dv.bin'],
      ['model.bin', 'course_booster.bin'],
    ].map(async ([name, file]) => ({
      name: name!,
      base64: (await readFile(path.join(fixtures, file!))).toString('base64'),
    })),
  );
  await dropFiles(app, files);
  const card = app.getByTestId('model-card');
  await expect(card.getByRole('heading', { name: 'model.bin' })).toBeVisible({ timeout: 30_000 });
  await expect(app.getByTestId('conversion')).toContainText(
    'DictVectorizer → Booster (xgboost 1.7.4, binary:logistic, 200 trees, depth 6)',
  );
  await expect(app.getByTestId('combined-with')).toContainText('dv.bin');
  await expect(app.getByLabel('lead_source')).toBeVisible();
  await saveScreenshot(app, 'xgboost-dv-and-model', testInfo.project.name);
});

test('a model.ubj opens as an XGBoost model file', async ({ app }, testInfo) => {
  await app.getByTestId('open-file-input').setInputFiles(path.join(fixtures, 'booster_binary.ubj'));
  await expect(
    app.getByTestId('model-card').getByRole('heading', { name: 'booster_binary.ubj' }),
  ).toBeVisible({
    timeout: 30_000,
  });
  await expect(app.getByTestId('model-card')).toContainText('XGBoost model file');
  await expect(app.getByTestId('conversion')).toContainText('Converted from XGBoost');
  await saveScreenshot(app, 'xgboost-ubj', testInfo.project.name);
});
