/**
 * How explanations read for people, shared by main (the CLI, the summary sentence every surface shows)
 * and the renderer (the Try chart), so a contribution is written the same way everywhere.
 */
import type { Contribution } from './contract/explain.ts';

/** A contribution for people: signed, three significant digits ("+0.0172", "−0.00399"). */
export function formatContribution(value: number): string {
  if (value === 0) return '0';
  const text = Math.abs(value).toPrecision(3);
  // toPrecision may answer in exponent form for tiny values; those read better as they are.
  return `${value > 0 ? '+' : '−'}${text}`;
}

/** An input's value as shown beside its contribution. */
export function formatInputValue(value: Contribution['value']): string {
  const one = (v: string | number | boolean | null) =>
    v === null ? 'left out' : typeof v === 'number' ? String(Number(v.toPrecision(6))) : String(v);
  return Array.isArray(value) ? `[${value.map(one).join(', ')}]` : one(value);
}

function listed(contributions: readonly Contribution[]): string {
  return contributions
    .map((c) => `${c.input} (${formatInputValue(c.value)}, ${formatContribution(c.contribution)})`)
    .join(' and ');
}

/**
 * One sentence: what pushed the score up, what pulled it down (the two largest of each), the same
 * in the app, the CLI and the exported service.
 */
export function describeDrivers(contributions: readonly Contribution[]): string {
  const bySize = [...contributions].sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
  const up = bySize.filter((c) => c.contribution > 0).slice(0, 2);
  const down = bySize.filter((c) => c.contribution < 0).slice(0, 2);
  // Starts with fixed words: input names are the model's own spelling and keep their case.
  const pushed = up.length > 0 ? `Pushed up by ${listed(up)}` : 'Nothing pushed it up';
  const pulled = down.length > 0 ? `pulled down by ${listed(down)}` : 'nothing pulled it down';
  return `${pushed}; ${pulled}.`;
}
