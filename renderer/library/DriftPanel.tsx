import { useState } from 'react';
import type { DriftReport, FeatureDrift, ModelInfo } from '../../shared/contract/index.ts';
import { client, newOperationId } from '../client/index.ts';
import { errorMessage } from './format.ts';

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
  );
}

/** Drift of a CSV against the reference attached to the open model in the library. */
export function DriftPanel(props: { model: ModelInfo }) {
  const [report, setReport] = useState<DriftReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function check(file: File) {
    setBusy(true);
    setError(null);
    try {
      const csvPath = await client.pathForFile(file);
      setReport(
        await client.call('library.drift', {
          modelId: props.model.modelId,
          csvPath,
          operationId: newOperationId('drift'),
        }),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="drift-panel" aria-label="Drift">
      <h3>Drift</h3>
      <label className={`button${busy ? ' disabled' : ''}`}>
        Check a CSV against the reference…
        <input
          type="file"
          accept=".csv,.tsv,.txt,text/csv"
          className="visually-hidden"
          disabled={busy}
          onChange={(event) => {
            const file = event.target.files?.[0];
            event.target.value = '';
            if (file) void check(file);
          }}
        />
      </label>
      {busy ? <p className="hint">Reading the CSV…</p> : null}
      {error ? (
        <p className="card error-card" role="alert">
          {error}
        </p>
      ) : null}
      {report ? <DriftTable report={report} /> : null}
    </section>
  );
}
