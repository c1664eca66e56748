import type { Explanation } from '../../shared/contract/index.ts';
import { formatContribution, formatInputValue } from '../../shared/explain-text.ts';

/** One bar of the contribution chart: from `start` to `end` on the score's axis. */
export interface WaterfallBar {
  input: string;
  /** The payload's value of the input, as shown on the bar. */
  valueText: string;
  contribution: number;
  contributionText: string;
  start: number;
  end: number;
  direction: 'up' | 'down' | 'none';
}

export interface Waterfall {
  bars: WaterfallBar[];
  baseValue: number;
  value: number;
  /** The axis: every bar's ends, the base value and the score fit in [min, max]. */
  min: number;
  max: number;
}

/**
 * The contribution chart's geometry: bars sorted by size, largest first, each starting where the previous
 * one ended, from the base value to the score (their sum; the residual is rounding).
 */
export function waterfallOf(
  explanation: Pick<Explanation, 'baseValue' | 'value' | 'contributions'>,
  /** Bars drawn one per input; the smaller rest share one bar, so a 40-input model stays readable. */
  limit = 12,
): Waterfall {
  const bySize = [...explanation.contributions].sort(
    (a, b) => Math.abs(b.contribution) - Math.abs(a.contribution),
  );
  const rest = bySize.length > limit ? bySize.slice(limit - 1) : [];
  const others = {
    input: `${rest.length} other inputs`,
    value: null,
    contribution: rest.reduce((sum, c) => sum + c.contribution, 0),
  };
  const sorted = rest.length > 0 ? [...bySize.slice(0, limit - 1), others] : bySize;
  let position = explanation.baseValue;
  let min = Math.min(explanation.baseValue, explanation.value);
  let max = Math.max(explanation.baseValue, explanation.value);
  const bars = sorted.map((c): WaterfallBar => {
    const start = position;
    position += c.contribution;
    min = Math.min(min, start, position);
    max = Math.max(max, start, position);
    return {
      input: c.input,
      valueText: c === others ? 'together' : formatInputValue(c.value),
      contribution: c.contribution,
      contributionText: formatContribution(c.contribution),
      start,
      end: position,
      direction: c.contribution > 0 ? 'up' : c.contribution < 0 ? 'down' : 'none',
    };
  });
  if (max === min) max = min + 1e-9; // a flat explanation still draws
  return { bars, baseValue: explanation.baseValue, value: explanation.value, min, max };
}

/** Where a value sits on the chart's axis, in percent of its width. */
export function axisPercent(waterfall: Pick<Waterfall, 'min' | 'max'>, value: number): number {
  return ((value - waterfall.min) / (waterfall.max - waterfall.min)) * 100;
}
