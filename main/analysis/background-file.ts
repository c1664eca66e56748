/**
 * Background rows as a file (an exported bundle's explain/background.json): written by the bundle
 * writer, read by the exported service (generated into its runtime.generated.js). JSON has no NaN, so
 * a numeric value left out (an optional input's missing value, NaN in a coerced row) is written as null
 * and read back as NaN. Pure: no Node imports.
 */
import type { BackgroundSummary, ModelInput } from '../../shared/contract/index.ts';
import type { CoercedRow } from '../models/payload.ts';

export interface StoredBackground {
  rows: CoercedRow[];
  summary: BackgroundSummary;
}

export function backgroundFileText(background: StoredBackground): string {
  const rows = background.rows.map((row) =>
    Object.fromEntries(
      Object.entries(row).map(([name, values]) => [
        name,
        values.map((value) => (typeof value === 'number' && Number.isNaN(value) ? null : value)),
      ]),
    ),
  );
  return `${JSON.stringify({ summary: background.summary, rows })}\n`;
}

export function readBackgroundFileText(inputs: readonly ModelInput[], text: string): StoredBackground {
  const stored = JSON.parse(text) as { summary: BackgroundSummary; rows: Record<string, unknown[]>[] };
  const numeric = new Set(inputs.filter((input) => input.kind === 'numeric').map((input) => input.name));
  const rows = stored.rows.map(
    (row): CoercedRow =>
      Object.fromEntries(
        Object.entries(row).map(([name, values]) => [
          name,
          values.map((value) =>
            value === null && numeric.has(name) ? Number.NaN : (value as number | string | boolean),
          ),
        ]),
      ),
  );
  return { rows, summary: stored.summary };
}
