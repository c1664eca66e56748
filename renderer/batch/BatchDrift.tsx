import type { JSX } from 'react';
import type { ScoringSummary } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { DriftTable } from '../library/DriftTable.tsx';
import type { BatchDrift } from './batch-store.ts';

/** The drift the run computed in its own pass, or the hint to attach a reference. */
export function driftOf(summary: ScoringSummary): BatchDrift {
  return summary.drift ? { state: 'ready', report: summary.drift } : { state: 'no-reference' };
}

/** Under the batch report: the PSI table, or how to get one. */
export function BatchDriftView(props: { drift: BatchDrift }): JSX.Element {
  const { drift } = props;
  return (
    <section className="batch-drift" aria-label="Drift against the reference" data-testid="batch-drift">
      <h3>Drift against the reference</h3>
      {drift.state === 'ready' ? <DriftTable report={drift.report} /> : null}
      {drift.state === 'no-reference' ? (
        <p className="hint" data-testid="batch-drift-hint">
          No reference CSV is attached to this model, so drift isn't shown. Attach one (for example the
          training data) in{' '}
          <button
            type="button"
            className="link-button"
            onClick={() => useAppStore.setState({ activeTab: 'library', reveal: 'drift' })}
          >
            Samples &amp; compare → Drift
          </button>
          .
        </p>
      ) : null}
    </section>
  );
}
