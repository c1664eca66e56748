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

/**
 * Every header cell as the user sees it: is its name wider or taller than the cell shows (clipped, or
 * cut with an ellipsis), and does the button holding it sit inside the cell? Measured in the page.
 */
function headerReadability(table: import('@playwright/test').Locator) {
  return table.locator('.results-header > th[scope="col"]').evaluateAll((cells) =>
    cells.slice(1).map((cell) => {
      const button = cell.querySelector('button') as HTMLButtonElement;
      const outer = cell.getBoundingClientRect();
      const inner = button.getBoundingClientRect();
      const lineHeight = Number.parseFloat(getComputedStyle(button).lineHeight);
      return {
        name: button.textContent ?? '',
        title: button.title,
        clipped:
          cell.scrollWidth > cell.clientWidth ||
          cell.scrollHeight > cell.clientHeight ||
          button.scrollWidth > button.clientWidth ||
          button.scrollHeight > button.clientHeight ||
          inner.left < outer.left - 0.5 ||
          inner.right > outer.right + 0.5 ||
          inner.top < outer.top - 0.5 ||
          inner.bottom > outer.bottom + 0.5,
        lines: Math.round(inner.height / lineHeight),
        left: outer.left,
        width: outer.width,
      };
    }),
  );
}

test("every column's full name is readable in the results table, in a narrow and a wide window, and columns resize", async ({
  app,
  appMode,
}) => {
  await app.setViewportSize({ width: 1280, height: 900 });
  await scoreLeads(app);
  const table = app.getByTestId('results-table');
  await expect(app.getByTestId('results-count')).toHaveText('1,462 of 1,462 rows');
  const outputPath = (await app.getByTestId('batch-output-path').textContent()) ?? '';
  const output = parse(await readFile(outputPath), { columns: true }) as Record<string, string>[];
  const columns = Object.keys(output[0] ?? {});
  expect(columns).toContain('number_of_courses_viewed');

  // Wide window: each column is as wide as its name (on one line) and its cells; nothing is cut.
  await app.setViewportSize({ width: 1920, height: 900 });
  await expect
    .poll(() => headerReadability(table).then((cells) => cells.filter((c) => c.clipped)))
    .toEqual([]);
  let headers = await headerReadability(table);
  expect(headers.map((c) => c.name)).toEqual(columns);
  expect(headers.map((c) => c.title)).toEqual(columns);
  expect(headers.filter((c) => c.lines !== 1)).toEqual([]);
  const cutCells = await table
    .getByTestId('results-row')
    .first()
    .locator('td')
    .evaluateAll((cells) =>
      cells.filter((cell) => cell.scrollWidth > cell.clientWidth).map((c) => c.textContent),
    );
  expect(cutCells).toEqual([]);
  await table.getByTestId('results-scroll').evaluate((e) => e.scrollTo({ left: 0 }));
  await table.screenshot({
    path: path.join(repoRoot, 'test-results', `${appMode}-results-headers-wide.png`),
  });

  // Narrow window: the names still read in full; the table scrolls sideways inside its box, not the page.
  await app.setViewportSize({ width: 760, height: 900 });
  headers = await headerReadability(table);
  expect(headers.filter((c) => c.clipped)).toEqual([]);
  expect(await app.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(760);
  await table.scrollIntoViewIfNeeded();
  await table.screenshot({
    path: path.join(repoRoot, 'test-results', `${appMode}-results-headers-narrow.png`),
  });
  await app.setViewportSize({ width: 1280, height: 900 });
  await table.scrollIntoViewIfNeeded();

  // Resizing by keyboard: the handle is a focusable separator; arrows widen and narrow, Enter fits again.
  const column = 'number_of_courses_viewed';
  const index = columns.indexOf(column);
  const handle = table.getByRole('separator', { name: `Resize ${column}` });
  const fitted = Number(await handle.getAttribute('aria-valuenow'));
  await handle.focus();
  await app.keyboard.press('ArrowRight');
  await app.keyboard.press('ArrowRight');
  await expect(handle).toHaveAttribute('aria-valuenow', String(fitted + 32));
  headers = await headerReadability(table);
  expect(headers[index]?.width).toBeCloseTo(fitted + 32, 0);
  // The rows' cells follow the header's.
  const cellBox = () =>
    table
      .getByTestId('results-row')
      .first()
      .locator('td')
      .nth(index)
      .evaluate((cell) => {
        const box = cell.getBoundingClientRect();
        return { left: box.left, width: box.width };
      });
  expect(await cellBox()).toEqual({ left: headers[index]?.left, width: headers[index]?.width });
  await app.keyboard.press('Enter');
  await expect(handle).toHaveAttribute('aria-valuenow', String(fitted));

  // Narrower than its name: the name wraps between its words onto more lines rather than being cut;
  // the column goes no narrower than its widest word.
  for (let i = 0; i < 16; i += 1) await app.keyboard.press('ArrowLeft');
  await expect(handle).toHaveAttribute('aria-valuenow', (await handle.getAttribute('aria-valuemin')) ?? '');
  headers = await headerReadability(table);
  expect(headers[index]?.clipped).toBe(false);
  expect(headers[index]?.lines).toBeGreaterThan(1);
  // No word is broken: each part of the name (a text node between line-break opportunities) sits on one line.
  const partLines = await table.getByTestId(`results-sort-${column}`).evaluate((button) =>
    [...button.childNodes]
      .filter((node) => node.nodeType === Node.TEXT_NODE)
      .map((node) => {
        const range = document.createRange();
        range.selectNodeContents(node);
        return { part: node.textContent, lines: range.getClientRects().length };
      }),
  );
  expect(partLines.map((p) => p.part).join('')).toBe(column);
  expect(partLines.filter((p) => p.lines !== 1)).toEqual([]);
  expect(await cellBox()).toEqual({ left: headers[index]?.left, width: headers[index]?.width });
  await table.screenshot({
    path: path.join(repoRoot, 'test-results', `${appMode}-results-headers-wrapped.png`),
  });

  // Resizing with the pointer: drag the column's right edge; a double-click fits it again.
  const box = await handle.boundingBox();
  if (!box) throw new Error('the resize handle is not on screen');
  const before = Number(await handle.getAttribute('aria-valuenow'));
  await app.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await app.mouse.down();
  await app.mouse.move(box.x + box.width / 2 + 90, box.y + box.height / 2, { steps: 5 });
  await app.mouse.up();
  await expect(handle).toHaveAttribute('aria-valuenow', String(before + 90));
  await handle.dblclick();
  await expect(handle).toHaveAttribute('aria-valuenow', String(fitted));

  // Sorting still answers a click on the name, and not a drag of the edge.
  await table.getByTestId(`results-sort-${column}`).click();
  await expect(table.locator('th[aria-sort="ascending"]')).toHaveText(new RegExp(`^${column}`));
});
