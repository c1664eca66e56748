import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { axisPercent, waterfallOf } from '../../renderer/explain/waterfall.ts';

const explanation = {
  baseValue: 0.6,
  value: 0.7,
  contributions: [
    { input: 'lead_source', value: 'paid_ads', contribution: -0.05 },
    { input: 'number_of_courses_viewed', value: 5, contribution: 0.2 },
    { input: 'annual_income', value: null, contribution: -0.05 },
  ],
};

describe('the contribution chart', () => {
  test('bars run from the base value to the score, largest first, each from where the last ended', () => {
    const waterfall = waterfallOf(explanation);
    expect(waterfall.bars.map((bar) => [bar.input, bar.direction, bar.valueText])).toEqual([
      ['number_of_courses_viewed', 'up', '5'],
      ['lead_source', 'down', 'paid_ads'],
      ['annual_income', 'down', 'left out'],
    ]);
    expect(waterfall.bars[0]!.start).toBe(0.6);
    for (let i = 1; i < waterfall.bars.length; i++)
      expect(waterfall.bars[i]!.start).toBe(waterfall.bars[i - 1]!.end);
    expect(waterfall.bars.at(-1)!.end).toBeCloseTo(0.7, 12);
    expect([waterfall.min, waterfall.max]).toEqual([0.6, 0.8]);
    expect(axisPercent(waterfall, 0.6)).toBe(0);
    expect(axisPercent(waterfall, 0.8)).toBe(100);
    expect(waterfall.bars[0]!.contributionText).toBe('+0.200');
    expect(waterfall.bars[1]!.contributionText).toBe('−0.0500');
  });

  test('its colours keep a 4.5:1 contrast against the card, in the light and the dark theme', () => {
    const css = (file: string) =>
      readFileSync(path.resolve(import.meta.dirname, '../../renderer', file), 'utf8');
    const app = css('app/styles.css');
    const chart = css('explain/explain.css');
    const [lightApp, darkApp] = app.split('@media (prefers-color-scheme: dark)');
    const [lightChart, darkChart] = chart.split('@media (prefers-color-scheme: dark)');
    const colour = (text: string, name: string) => {
      const match = new RegExp(`--${name}:\\s*(#[0-9a-fA-F]{6})`).exec(text);
      if (!match) throw new Error(`no --${name}`);
      return match[1]!;
    };
    const luminance = (hex: string) => {
      const [r, g, b] = [1, 3, 5].map((i) => {
        const c = Number.parseInt(hex.slice(i, i + 2), 16) / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
    };
    const contrast = (a: string, b: string) => {
      const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
      return (hi! + 0.05) / (lo! + 0.05);
    };
    const themes: Array<[string, string]> = [
      [lightApp!, lightChart!],
      [darkApp!, darkChart!],
    ];
    for (const [appCss, chartCss] of themes) {
      const surface = colour(appCss, 'surface');
      expect(contrast(colour(chartCss, 'push-up'), surface)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(colour(chartCss, 'pull-down'), surface)).toBeGreaterThanOrEqual(4.5);
      expect(colour(chartCss, 'push-up')).not.toBe(colour(chartCss, 'pull-down'));
    }
  });
});

describe('many inputs', () => {
  test('beyond 12 bars, the smallest share one bar and the chart still ends at the score', () => {
    const contributions = Array.from({ length: 40 }, (_, i) => ({
      input: `x${i}`,
      value: i,
      contribution: (i % 2 === 0 ? 1 : -1) * (i + 1) * 0.001,
    }));
    const total = contributions.reduce((sum, c) => sum + c.contribution, 0);
    const waterfall = waterfallOf({ baseValue: 0.5, value: 0.5 + total, contributions });
    expect(waterfall.bars).toHaveLength(12);
    expect(waterfall.bars[0]!.input).toBe('x39');
    expect(waterfall.bars[11]).toMatchObject({ input: '29 other inputs', valueText: 'together' });
    expect(waterfall.bars[11]!.end).toBeCloseTo(0.5 + total, 12);
  });
});
