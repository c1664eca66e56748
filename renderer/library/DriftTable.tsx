import type { DriftReport, FeatureDrift } from '../../shared/contract/index.ts';

const bandText = { stable: 'stable', moderate: 'moderate shift', significant: 'significant shift' } as const;

/** The PSI table: one row per input and one for the scores, with the usual 0.1 / 0.25 bands. */
export function DriftTable(props: { report: DriftReport }) {
  const { report } = props;
  const rows: FeatureDrift[] = report.score ? [...report.features, report.score] : report.features;
  return (
    <div className="drift" data-testid="drift-table">
      <p className="hint">
        Population stability index of {report.currentRows.toLocaleString()} rows against the reference's{' '}
        {report.referenceRows.toLocaleString()}: below 0.1 stable, 0.1–0.25 moderate, above 0.25 significant.
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
                <td
                  className={
                    feature.band === 'stable' ? 'good' : feature.band === 'significant' ? 'bad' : 'warn'
                  }
                >
                  {bandText[feature.band]}
                </td>
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
