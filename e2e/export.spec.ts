import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { cli, expect, guidePayload, sampleModel, saveScreenshot, test } from './fixtures.ts';

test('Export writes a bundle whose sample is the probability the CLI predicts, and asks before replacing', async ({
  app,
  appMode,
  workDir,
}) => {
  const target = path.join(workDir, `bundle-${appMode}-${Date.now()}`);
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Export' }).click();
  await app.getByLabel('Service name').fill('lead-scoring');
  await app.getByLabel('Version label').fill('v3');
  await app.getByLabel('Target folder').fill(target);
  await app.getByRole('button', { name: 'Export', exact: true }).click();

  await expect(app.getByTestId('export-done')).toBeVisible();
  await expect(app.getByTestId('export-path')).toHaveText(target);
  await expect(app.getByTestId('export-commands')).toContainText('docker build -t lead-scoring:v3 .');
  const manifest = JSON.parse(await readFile(path.join(target, 'manifest.json'), 'utf8'));
  expect(manifest.version).toBe('v3');
  const sample = JSON.parse(await readFile(path.join(target, 'samples', 'payload-1.json'), 'utf8'));
  expect(sample.payload).toEqual(guidePayload);
  const expected = await cli<{ probability: number }>(
    'predict',
    sampleModel,
    '--input',
    JSON.stringify(guidePayload),
  );
  expect(sample.expected.probability).toBeCloseTo(expected.probability, 6);
  await saveScreenshot(app, 'export-done', appMode);

  // The same target again: nothing is replaced until the user says so.
  await app.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(app.getByText('already exists. Replace it with the new bundle?')).toBeVisible();
  await app.getByRole('button', { name: 'Replace' }).click();
  await expect(app.getByTestId('export-done')).toBeVisible();
  expect(existsSync(path.join(target, 'SHA256SUMS'))).toBe(true);
});

test('Export is off, with the reason, when the checksum does not match', async ({ app, appMode }) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByLabel('Expected checksum').fill('0'.repeat(64));
  await app.getByRole('button', { name: 'Check' }).click();
  await expect(app.getByTestId('checksum-status')).toContainText('Does not match');
  await app.getByRole('tab', { name: 'Export' }).click();
  await expect(app.getByTestId('export-blocked')).toContainText(
    'does not match the expected SHA-256 checksum',
  );
  await expect(app.getByRole('button', { name: 'Export', exact: true })).toBeDisabled();
  await saveScreenshot(app, 'export-blocked', appMode);

  // The gate follows the field: clearing the expected checksum turns Export back on at once…
  await app.getByLabel('Expected checksum').fill('');
  await expect(app.getByTestId('export-blocked')).toHaveCount(0);
  await expect(app.getByRole('button', { name: 'Export', exact: true })).toBeEnabled();
  // …and a mismatch typed while the Export tab is showing turns it off at once, without pressing Check.
  await app.getByLabel('Expected checksum').fill(`${'1'.repeat(32)}  lead_scoring.onnx`);
  await expect(app.getByTestId('checksum-status')).toContainText('Does not match: the file’s MD5');
  await expect(app.getByRole('button', { name: 'Export', exact: true })).toBeDisabled();
  await expect(app.getByTestId('export-blocked')).toContainText('does not match the expected MD5 checksum');
  // The right checksum, as md5sum prints it, opens the gate again.
  const md5 = createHash('md5').update(readFileSync(sampleModel)).digest('hex');
  await app.getByLabel('Expected checksum').fill(`${md5} *lead_scoring.onnx`);
  await expect(app.getByTestId('checksum-status')).toContainText('Matches the file’s MD5');
  await expect(app.getByRole('button', { name: 'Export', exact: true })).toBeEnabled();
});
