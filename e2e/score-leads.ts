import path from 'node:path';
import type { Page } from '@playwright/test';
import { expect, repoRoot, sampleModel } from './fixtures.ts';

export const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

/** Opens the sample model and scores the course's lead file with both missing inputs filled. */
export async function scoreLeads(app: Page) {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch' }).click();
  await app.getByTestId('batch-file-input').setInputFiles(leadCsv);
  await app.getByTestId('missing-policy-lead_source').selectOption('fill');
  await app.getByTestId('missing-policy-annual_income').selectOption('fill');
  await expect(app.getByTestId('batch-check-summary')).toContainText('1,462 rows; 0 would fail');
  await expect(app.getByTestId('batch-label-column')).toHaveValue('converted');
  await app.getByTestId('batch-run').click();
  await expect(app.getByTestId('batch-report')).toBeVisible({ timeout: 30_000 });
}
