import { readFile } from 'node:fs/promises';
import type { Locator, Page } from '@playwright/test';

/** Clicks a Download link and returns the bytes the browser saved, through Playwright's download event. */
export async function downloadBytes(app: Page, link: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([app.waitForEvent('download'), link.click()]);
  const saved = await download.path();
  return { name: download.suggestedFilename(), bytes: await readFile(saved) };
}
