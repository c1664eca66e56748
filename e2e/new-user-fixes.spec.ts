import path from 'node:path';
import { expect, repoRoot, sampleModel, saveScreenshot, test } from './fixtures.ts';

/** Issue 13's "found as a new user" items, each as the user met it. */
const leadCsv = path.join(repoRoot, 'assets/data/course_lead_scoring.csv');

/** WCAG contrast ratio of two CSS rgb() colours. */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = (css.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map(Number) as [number, number, number];
    const channel = (v: number) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(bl);
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

test('Recent lists the same model once, however often it is uploaded', async ({ app, appMode }) => {
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(app.getByTestId('prediction').or(app.getByRole('tab', { name: 'Try' }))).toBeVisible();
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await expect(app.getByRole('tab', { name: 'Try' })).toBeVisible();
  await app.locator('.recent-menu summary').click();
  await expect(app.locator('.recent-menu li')).toHaveCount(1);
  await saveScreenshot(app, 'recent-once', appMode);
});

test('dark mode: chart text ≥ 4.5:1, a focus ring on "Choose a CSV file…", focus back on Score after a run', async ({
  app,
  appMode,
}) => {
  await app.emulateMedia({ colorScheme: 'dark' });
  await app.getByTestId('open-file-input').setInputFiles(sampleModel);
  await app.getByRole('tab', { name: 'Batch' }).click();

  // Keyboard to the file picker: its label shows the ring.
  const picker = app.locator('label.button', { has: app.getByTestId('batch-file-input') });
  await app.getByTestId('batch-file-input').focus();
  await app.keyboard.press('Shift+Tab');
  await app.keyboard.press('Tab');
  await expect(app.getByTestId('batch-file-input')).toBeFocused();
  const outline = await picker.evaluate((element) => getComputedStyle(element).outlineStyle);
  expect(outline).toBe('solid');
  await saveScreenshot(app, 'focus-ring-csv-picker', appMode);

  await app.getByTestId('batch-file-input').setInputFiles(leadCsv);
  await expect(app.getByTestId('batch-run')).toBeEnabled();
  await app.getByTestId('batch-label-column').selectOption('converted');
  await app.getByTestId('batch-run').focus();
  await app.keyboard.press('Enter');
  const canvas = app.locator('canvas').first();
  await expect(canvas).toBeVisible({ timeout: 30_000 });
  await expect(app.getByTestId('batch-run')).toBeFocused();

  const colours = await canvas.evaluate((element) => {
    let card: Element | null = element;
    while (card && getComputedStyle(card).backgroundColor === 'rgba(0, 0, 0, 0)') card = card.parentElement;
    const probe = document.createElement('span');
    probe.style.color = (element as HTMLCanvasElement).dataset.textColour ?? '';
    document.body.append(probe);
    const text = getComputedStyle(probe).color;
    probe.remove();
    return { text, background: card ? getComputedStyle(card).backgroundColor : 'rgb(255, 255, 255)' };
  });
  expect(contrast(colours.text, colours.background)).toBeGreaterThanOrEqual(4.5);
  await saveScreenshot(app, 'batch-report-dark', appMode);
});
