import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { expect, repoRoot, saveScreenshot, test } from './fixtures.ts';
import { scoreLeads } from './score-leads.ts';

test('the scored rows table sorts by the probability and filters by score range over the whole output', async ({
  app,
  appMode,
}) => {
  await app.setViewportSize({ width: 1280, height: 900 });
  await scoreLeads(app);

  const table = app.getByTestId('results-table');
  await expect(app.getByTestId('results-count')).toHaveText('1,462 of 1,462 rows');
  // Only the visible rows are in the page, not 1,462.
  expect(await table.getByTestId('results-row').count()).toBeLessThan(30);

  // The reference: the output file as written, parsed by the test.
  const outputPath = (await app.getByTestId('batch-output-path').textContent()) ?? '';
  const output = parse(await readFile(outputPath), { columns: true }) as Record<string, string>[];
  const columns = Object.keys(output[0] ?? {});
  const probabilityCell = columns.indexOf('predicted_probability') + 2; // after the row-number header
  const probability = (row: Record<string, string>) => Number(row.predicted_probability);
  const firstProbability = () =>
    table.getByTestId('results-row').first().locator(`:nth-child(${probabilityCell})`).textContent();

  // Sorting by the probability: the first click sorts highest first, the second lowest first.
  await table.getByTestId('results-sort-predicted_probability').click();
  const highest = Math.max(...output.map(probability));
  await expect.poll(async () => Number(await firstProbability())).toBe(highest);
  await expect(table.locator('th[aria-sort="descending"]')).toHaveCount(1);
  await table.getByTestId('results-sort-predicted_probability').click();
  const lowest = Math.min(...output.map(probability));
  await expect.poll(async () => Number(await firstProbability())).toBe(lowest);

  // Score range 0.3–0.5 and a text filter: the count and every visible row agree with the file.
  await table.getByTestId('results-min').fill('0.3');
  await table.getByTestId('results-max').fill('0.5');
  await table.getByTestId('results-filter-lead_source').fill('referral');
  const inRange = output.filter(
    (row) =>
      probability(row) >= 0.3 && probability(row) <= 0.5 && (row.lead_source ?? '').includes('referral'),
  );
  expect(inRange.length).toBeGreaterThan(0);
  await expect(app.getByTestId('results-count')).toHaveText(`${inRange.length} of 1,462 rows`);
  const sortedInRange = inRange.map(probability).sort((a, b) => a - b);
  await expect.poll(async () => Number(await firstProbability())).toBe(sortedInRange[0]);
  const shown = await table
    .getByTestId('results-row')
    .evaluateAll(
      (rows, cell) => rows.map((row) => row.children[cell - 1]?.textContent ?? ''),
      probabilityCell,
    );
  expect(shown.map(Number)).toEqual(sortedInRange.slice(0, shown.length));

  // Keyboard: the scroller takes focus and Page Down scrolls it.
  await table.getByTestId('results-min').fill('');
  await table.getByTestId('results-max').fill('');
  await table.getByTestId('results-filter-lead_source').fill('');
  await expect(app.getByTestId('results-count')).toHaveText('1,462 of 1,462 rows');
  await table.getByTestId('results-scroll').focus();
  await app.keyboard.press('PageDown');
  await expect
    .poll(() => table.getByTestId('results-scroll').evaluate((e) => e.scrollTop))
    .toBeGreaterThan(0);
  // The rows drawn follow the scroll: the first one drawn is now further down the order.
  await expect(table.getByTestId('results-row').first()).not.toHaveAttribute('aria-rowindex', '3');
  expect(await app.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(1280);

  await table.getByTestId('results-scroll').evaluate((e) => e.scrollTo({ left: 0 }));
  await table.scrollIntoViewIfNeeded();
  await table.screenshot({ path: path.join(repoRoot, 'test-results', `${appMode}-results-table.png`) });
  await app.emulateMedia({ colorScheme: 'dark' });
  await table.screenshot({ path: path.join(repoRoot, 'test-results', `${appMode}-results-table-dark.png`) });
  await saveScreenshot(app, 'results-table', appMode);
});
