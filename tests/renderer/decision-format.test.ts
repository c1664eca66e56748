import { describe, expect, test } from 'vitest';
import { formatAgainstThreshold } from '../../shared/format/decision.ts';

describe('a probability next to its threshold', () => {
  test('shows enough digits to stay on its side of the threshold', () => {
    // Seen in Compare on the lead data: "0.5000" read as a yes for a no.
    expect(formatAgainstThreshold(0.49999999999842815, 0.5)).toBe('0.499999999998');
    expect(formatAgainstThreshold(0.50000000001, 0.5)).toBe('0.5000');
    expect(formatAgainstThreshold(0.4975, 0.5)).toBe('0.4975');
    expect(formatAgainstThreshold(0.79996, 0.8)).toBe('0.79996');
  });

  test('never crosses the threshold, for any value', () => {
    for (let k = 0; k < 10_000; k++) {
      const threshold = Math.round(Math.random() * 100) / 100;
      const value = threshold + (Math.random() - 0.5) * 10 ** -Math.floor(Math.random() * 15);
      const text = formatAgainstThreshold(value, threshold);
      expect(Number(text) >= threshold, `${value} at ${threshold} shown as ${text}`).toBe(value >= threshold);
    }
  });
});
