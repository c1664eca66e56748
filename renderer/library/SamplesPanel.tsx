import { useCallback, useEffect, useId, useState } from 'react';
import type { GoldenSample, ModelInfo, SampleRunReport } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { client } from '../client/index.ts';
import { errorMessage, formatProbability } from './format.ts';
import { PayloadEditor, usePayloadSource } from './PayloadSource.tsx';
import { useBusyAction } from './use-busy-action.ts';

export interface SamplesPanelProps {
  model: ModelInfo;
  /** The payload on the Try tab; when absent the panel shows its own JSON editor. */
  payload?: Record<string, unknown> | null;
}

/**
 * |Δp| in full: the tolerance is 1e-6, so "0.0000" would hide exactly what the column is for. Shortest
 * text that reads back as the same double.
 */
export function formatDelta(delta: number): string {
  return String(delta);
}

/** Golden samples: keep a payload with the outputs seen now, and check later that the model still gives them. */
export function SamplesPanel(props: SamplesPanelProps) {
  const { model } = props;
  const source = usePayloadSource(model, props.payload);
  const [samples, setSamples] = useState<GoldenSample[]>([]);
  const [name, setName] = useState('');
  const [report, setReport] = useState<SampleRunReport | null>(null);
  const action = useBusyAction();
  const { error, setError } = action;
  const busy = action.busy !== null;
  const nameId = useId();

  const load = useCallback(async () => {
    try {
      setSamples(await client.call('samples.list', { modelId: model.modelId }));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  }, [model.modelId, setError]);

  useEffect(() => {
    void load();
  }, [load]);

  const run = (work: () => Promise<void>) => action.run('Working', work);

  const save = () =>
    run(async () => {
      if (!source.payload) return;
      await client.call('samples.save', { modelId: model.modelId, name, payload: source.payload });
      setName('');
      setReport(null);
      await load();
    });

  const runAll = () =>
    run(async () => {
      setReport(await client.call('samples.runAll', { modelId: model.modelId }));
    });

  const remove = (sampleName: string) =>
    run(async () => {
      await client.call('samples.remove', { modelId: model.modelId, name: sampleName });
      setReport(null);
      await load();
    });

  const runs = new Map(report?.runs.map((entry) => [entry.name, entry]));

  return (
    <section className="samples" aria-label="Golden samples">
      <h3>Golden samples</h3>
      <p className="hint">
        A sample keeps a payload with the outputs this model gives now. Run them after a retrain or in the
        exported bundle: each must come back within {formatProbability(report?.tolerance ?? 1e-6)}.
      </p>
      {props.payload ? null : (
        <PayloadEditor text={source.text} onChange={source.setText} problem={source.problem} />
      )}
      <form
        className="actions"
        onSubmit={(event) => {
          event.preventDefault();
          void save();
        }}
      >
        <label htmlFor={nameId}>Sample name</label>
        <input
          id={nameId}
          value={name}
          onChange={(event) => setName(event.target.value)}
          placeholder="e.g. guide example"
        />
        <button type="submit" className="button" disabled={busy || !name.trim() || !source.payload}>
          Save current payload as sample
        </button>
        <button
          type="button"
          className="button primary"
          disabled={busy || samples.length === 0}
          onClick={runAll}
        >
          Run all samples
        </button>
      </form>
      {error ? (
        <p className="card error-card" role="alert">
          {error}
        </p>
      ) : null}
      {report ? (
        <p className={report.failed === 0 ? 'good' : 'bad'} role="status" data-testid="samples-summary">
          {report.passed} passed, {report.failed} failed
        </p>
      ) : null}
      {samples.length === 0 ? (
        <p className="hint">No samples yet for this model.</p>
      ) : (
        <table className="io-table">
          <thead>
            <tr>
              <th>Sample</th>
              <th>Payload</th>
              <th>Expected</th>
              <th>Now</th>
              <th>max |Δp|</th>
              <th>Result</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {samples.map((sample) => {
              const result = runs.get(sample.name);
              return (
                <tr key={sample.name} data-testid="sample-row">
                  <td>{sample.name}</td>
                  <td>
                    <code className="sample-payload" data-testid="sample-payload">
                      {JSON.stringify(sample.payload)}
                    </code>
                  </td>
                  <td>
                    {String(sample.expected.label ?? '')}{' '}
                    {formatProbability(sample.expected.probability ?? sample.expected.value)}
                  </td>
                  <td>
                    {result?.actual
                      ? `${String(result.actual.label ?? '')} ${formatProbability(result.actual.probability ?? result.actual.value)}`
                      : ''}
                  </td>
                  <td className="mono" data-testid="sample-delta">
                    {result && result.maxAbsDelta !== null ? formatDelta(result.maxAbsDelta) : ''}
                  </td>
                  <td>
                    {result ? (
                      <span className={result.passed ? 'good' : 'bad'} title={result.error}>
                        {result.passed ? 'pass' : 'fail'}
                      </span>
                    ) : null}
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() =>
                        useAppStore.setState({ currentPayload: sample.payload, activeTab: 'try' })
                      }
                    >
                      Load into Try
                    </button>{' '}
                    <button type="button" className="link-button" onClick={() => remove(sample.name)}>
                      Delete
                    </button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
