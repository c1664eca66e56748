import type { DriftReport, FeatureDrift } from '../../shared/contract/index.ts';
import { PSI_BANDS_TEXT } from '../../shared/drift-bands.ts';

/** The PSI table as text for the CLI's score report: one line per input and one for the scores. */
export function formatDrift(report: DriftReport): string {
  const rows: Array<[string, FeatureDrift]> = report.features.map((feature) => [feature.name, feature]);
  if (report.score) rows.push(['score distribution', report.score]);
  const width = Math.max(...rows.map(([name]) => name.length), 5);
  const lines = [
    `Drift against the reference (${report.referenceRows.toLocaleString('en-US')} rows): PSI bands ${PSI_BANDS_TEXT}`,
  ];
  for (const [name, feature] of rows) {
    const notes: string[] = [];
    if (feature.unseenCount) {
      notes.push(
        `${feature.unseenCount} rows with unseen categories (${(feature.unseenCategories ?? []).slice(0, 5).join(', ')})`,
      );
    }
    if (feature.missingCurrent > 0) notes.push(`${feature.missingCurrent} empty cells`);
    const psi = feature.psi.toFixed(3).padStart(7);
    lines.push(`  ${name.padEnd(width)}  ${psi}  ${feature.band.padEnd(8)}  ${notes.join('; ')}`.trimEnd());
  }
  return lines.join('\n');
}
