import { expect, guidePayload, sampleModel, test } from './fixtures.ts';

test('using every screen triggers no Content-Security-Policy violation', async ({ app }) => {
  const violations: string[] = [];
  app.on('console', (message) => {
    if (message.type() === 'error' && message.text().includes('Content Security Policy'))
      violations.push(message.text());
  });
  await app.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) =>
      console.error(
        `Content Security Policy: ${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber} ${event.sample}`,
      ),
    );
  });
  await app.reload();
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByTestId('payload-json').fill(JSON.stringify(guidePayload));
  await app.getByRole('button', { name: 'Predict' }).click();
  await expect(app.getByTestId('prediction')).toBeVisible();
  for (const tab of ['Batch', 'Export', 'Samples & compare', 'Try']) {
    await app.getByRole('tab', { name: tab }).click();
    await expect(app.getByRole('tab', { name: tab })).toHaveAttribute('aria-selected', 'true');
    await expect(app.getByRole('tabpanel')).not.toContainText('Loading…');
  }
  expect(violations).toEqual([]);
});
