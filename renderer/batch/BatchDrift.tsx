import type { JSX } from 'react';
import type { ScoringSummary } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { ClientError, client, newOperationId } from '../client/index.ts';
import { DriftTable } from '../library/DriftTable.tsx';
import type { BatchDrift } from './batch-store.ts';

/**
 * The column the engine wrote the score into: the positive-class probability of a binary classifier or a
 * regressor's value (the CLI's `score --reference` picks it the same way). Multiclass runs have no single
 * score, so their drift covers the inputs only.
 */
export function scoreColumnOf(summary: ScoringSummary): string | undefined {
  return summary.addedColumns.find((column) => /predicted_(probability|value)$/.test(column));
}

/** Drift of a finished run's output against the reference attached to the model in the library. */
export async function driftAfterRun(modelId: string, summary: ScoringSummary): Promise<BatchDrift> {
  try {
    const { report } = await client.call('library.batchDrift', {
      modelId,
      outputPath: summary.outputPath,
      scoreColumn: scoreColumnOf(summary),
      operationId: newOperationId('batch-drift'),
    });
    return report ? { state: 'ready', report } : { state: 'no-reference' };
  } catch (caught) {
    return { state: 'failed', message: ClientError.from(caught).message };
  }
}

/** Under the batch report: the PSI table, or how to get one. */
export function BatchDriftView(props: { drift: BatchDrift }): JSX.Element {
  const { drift } = props;
  return (
    <section className="batch-drift" aria-label="Drift against the reference" data-testid="batch-drift">
      <h3>Drift against the reference</h3>
      {drift.state === 'checking' ? (
        <p className="hint">Comparing the scored rows with the reference…</p>
      ) : null}
      {drift.state === 'ready' ? <DriftTable report={drift.report} /> : null}
      {drift.state === 'failed' ? (
        <p className="bad" role="alert">
          Drift could not be computed: {drift.message}
        </p>
      ) : null}
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
