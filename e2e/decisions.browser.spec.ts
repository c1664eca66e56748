// Browser mode only: the Electron project leaves *.browser.spec.ts out (playwright.config.ts).
import path from 'node:path';
import { expect, startWebHost, stopWebHost, test } from './fixtures.ts';
import { scoreLeads } from './score-leads.ts';

test("yesterday's run after a restart: listed and reopened with one click", async ({ page, workDir }) => {
  const dataDir = path.join(workDir, `history-restart-${Date.now()}`);
  let host = await startWebHost(dataDir);
  try {
    await page.goto(host.url);
    await scoreLeads(page);
    await stopWebHost(host);
    host = await startWebHost(dataDir);
    await page.goto(host.url);
    await page.getByRole('button', { name: 'Library' }).click();
    const row = page.getByTestId('run-row').first();
    await expect(row).toContainText('course_lead_scoring.csv');
    await row.getByTestId('run-reopen').click();
    await expect(page.getByTestId('run-reopened').getByTestId('gains-table')).toBeVisible();
    await expect(page.getByTestId('run-facts')).toContainText('SHA-256');
  } finally {
    await stopWebHost(host);
  }
});
