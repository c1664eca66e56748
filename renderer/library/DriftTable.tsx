import type { DriftReport, FeatureDrift, PsiBand } from '../../shared/contract/index.ts';
import { PSI_BANDS_TEXT } from '../../shared/drift-bands.ts';

const bandTone: Record<PsiBand, string> = { stable: 'good', moderate: 'warn', shifted: 'bad' };

/** The PSI table: one row per input and one for the scores, banded as everywhere (shared/drift-bands.ts). */
export function DriftTable(props: { report: DriftReport }) {
  const { report } = props;
  const rows: FeatureDrift[] = report.score ? [...report.features, report.score] : report.features;
  return (
    <div className="drift" data-testid="drift-table">
      <p className="hint">
        Population stability index of {report.currentRows.toLocaleString()} rows against the reference's{' '}
        {report.referenceRows.toLocaleString()}; bands {PSI_BANDS_TEXT}.
      </p>
      <div className="table-scroll">
        <table className="io-table">
          <thead>
            <tr>
              <th>Input</th>
              <th>PSI</th>
              <th>Band</th>
              <th>Notes</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((feature) => (
              <tr key={feature.name} className={`psi-${feature.band}`}>
                <td>{feature === report.score ? 'score distribution' : feature.name}</td>
                <td>{feature.psi.toFixed(3)}</td>
                <td className={bandTone[feature.band]}>{feature.band}</td>
                <td>
                  {feature.unseenCount
                    ? `${feature.unseenCount} rows with unseen categories (${feature.unseenCategories?.slice(0, 5).join(', ')})`
                    : ''}
                  {feature.missingCurrent > 0 ? ` ${feature.missingCurrent} empty cells` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
