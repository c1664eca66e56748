import type { Capacity, GainsRow, LabelledComparison, ModelDecisions } from '../../shared/contract/index.ts';

/**
 * The decision figures as the CLI prints them (without --json): aligned plain-text tables an analyst can
 * paste into a ticket. The numbers are the ones `--json` carries, from main/analysis.
 */

const f4 = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : value.toFixed(4);
const pct = (value: number) => `${(value * 100).toFixed(1)} %`;

function columns(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length))) ?? [];
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Each model's figures against the label side by side, then DeLong's verdict. */
export function formatLabelledComparison(
  comparison: LabelledComparison,
  nameA: string,
  nameB: string,
): string {
  const { a, b, delong } = comparison;
  const t = a.atThreshold.threshold;
  const rows: string[][] = [
    ['', `A ${nameA}`, `B ${nameB}`],
    ['ROC AUC', f4(a.rocAuc), f4(b.rocAuc)],
    ['average precision', f4(a.averagePrecision), f4(b.averagePrecision)],
    ['log loss', f4(a.logLoss), f4(b.logLoss)],
    ['Brier score', f4(a.brier), f4(b.brier)],
    [`accuracy at ${t}`, f4(a.atThreshold.accuracy), f4(b.atThreshold.accuracy)],
    [`precision at ${t}`, f4(a.atThreshold.precision), f4(b.atThreshold.precision)],
    [`recall at ${t}`, f4(a.atThreshold.recall), f4(b.atThreshold.recall)],
    [`F1 at ${t}`, f4(a.atThreshold.f1), f4(b.atThreshold.f1)],
  ];
  const lines = [
    `against "${comparison.labelColumn}": ${comparison.rows} rows, ${comparison.positives} of label 1`,
    columns(rows),
  ];
  if (delong) {
    lines.push(
      `DeLong: AUC B − A ${f4(delong.aucDifference)}, 95 % CI ${f4(delong.ci95[0])} to ${f4(delong.ci95[1])}, z ${delong.z === null ? 'n/a' : delong.z.toFixed(3)}, p ${delong.pValue.toPrecision(3)}`,
    );
  }
  lines.push(
    comparison.verdict,
    '',
    formatGains([
      { name: nameA, gains: a.gains },
      { name: nameB, gains: b.gains },
    ]),
  );
  return lines.join('\n');
}

export function formatGains(series: Array<{ name: string; gains: GainsRow[] }>): string {
  const first = series[0];
  if (!first || first.gains.length === 0) return 'gains: no rows of label 1';
  const head = ['top', 'rows', ...series.flatMap((s) => [`${s.name} gain`, 'lift', 'cum. lift'])];
  const body = first.gains.map((row, i) => [
    `${(row.populationShare * 100).toFixed(0)} %`,
    String(row.cumulativeRows),
    ...series.flatMap((s) => {
      const g = s.gains[i];
      return g ? [pct(g.cumulativeGain), g.lift.toFixed(2), g.cumulativeLift.toFixed(2)] : ['', '', ''];
    }),
  ]);
  return `gains and lift by decile (highest scores first)\n${columns([head, ...body])}`;
}

export function formatCapacity(rows: Capacity[]): string {
  const labelled = rows.some((row) => row.conversions !== undefined);
  const head = [
    'capacity',
    'threshold',
    'selected',
    'expected conv.',
    ...(labelled ? ['label 1', 'precision', 'recall', 'lift'] : []),
  ];
  const body = rows.map((row) => [
    `${row.request.kind === 'share' ? `${(row.request.share * 100).toFixed(0)} %` : String(row.request.count)} (${row.capacity})`,
    row.threshold === null ? '—' : f4(row.threshold),
    `${row.selected}${row.tiedBeyondCapacity ? ` (+${row.tiedBeyondCapacity} tied)` : ''}`,
    row.expectedConversions.toFixed(1),
    ...(labelled
      ? [String(row.conversions ?? 0), f4(row.precision), f4(row.recall), (row.lift ?? 0).toFixed(2)]
      : []),
  ]);
  return `capacity (score ≥ threshold; rows tied with the last one in are selected too)\n${columns([head, ...body])}`;
}

export function formatModelDecisions(figures: ModelDecisions): string {
  return [
    `ROC AUC ${f4(figures.rocAuc)} · average precision ${f4(figures.averagePrecision)} · log loss ${f4(figures.logLoss)} · Brier ${f4(figures.brier)}`,
    formatGains([{ name: 'model', gains: figures.gains }]),
  ].join('\n');
}
