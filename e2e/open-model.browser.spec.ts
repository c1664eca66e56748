// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cli, dropFiles, expect, fixturesDir, sampleModel, test } from './fixtures.ts';

// Synthetic drops: in Electron a synthetic File has no path on disk (real drops are paths there).
test('a synthetic drop opens the model, with drag-over feedback', async ({ app }) => {
  const expected = await cli<{ sha256: string }>('inspect', sampleModel);
  const base64 = (await readFile(sampleModel)).toString('base64');
  await dropFiles(app, [{ name: 'lead_scoring.onnx', base64 }], { checkOverlay: true });
  await expect(app.getByTestId('drop-overlay')).toBeHidden();
  await expect(app.getByTestId('sha256')).toHaveText(expected.sha256);
});

test('dropping several files opens the first and names the rest', async ({ app }) => {
  const first = (await readFile(sampleModel)).toString('base64');
  const second = (await readFile(path.join(fixturesDir, 'regressor.onnx'))).toString('base64');
  await dropFiles(app, [
    { name: 'lead_scoring.onnx', base64: first },
    { name: 'regressor.onnx', base64: second },
    { name: 'notes.txt', base64: Buffer.from('hello').toString('base64') },
  ]);
  await expect(
    app.getByTestId('model-card').getByRole('heading', { name: 'lead_scoring.onnx' }),
  ).toBeVisible();
  await expect(app.getByTestId('notice')).toContainText('not opened: regressor.onnx, notes.txt');
});
