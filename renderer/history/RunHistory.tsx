import { type JSX, useEffect, useState } from 'react';
import type { CompareCsvResult, RunRecord, ScoringSummary } from '../../shared/contract/index.ts';
import { formatBytes } from '../../shared/format-bytes.ts';
import { BatchReportView } from '../batch/BatchReportView.tsx';
import { client } from '../client/index.ts';
import { CompareDecisions } from '../decisions/DecisionViews.tsx';

const modelName = (model: RunRecord['models'][number]) =>
  model.name ? `${model.name} ${model.versionLabel ?? ''}`.trim() : model.fileName;

function headline(record: RunRecord): string {
  const m = record.metrics;
  const parts: string[] = [];
  if (typeof m.rows === 'number') parts.push(`${m.rows.toLocaleString('en-US')} rows`);
  if (typeof m.failed === 'number' && m.failed > 0) parts.push(`${m.failed.toLocaleString('en-US')} failed`);
  if (typeof m.rocAuc === 'number') parts.push(`AUC ${m.rocAuc.toFixed(3)}`);
  if (typeof m.rocAucA === 'number' && typeof m.rocAucB === 'number')
    parts.push(`AUC ${m.rocAucA.toFixed(3)} vs ${m.rocAucB.toFixed(3)}`);
  return parts.join(' · ');
}

/**
 * Every batch and compare run, newest first (kept in the library's catalog, so they are here after a
 * restart), each reopened with one click: its report as it was, with the checksums and settings it ran with.
 */
export function RunHistory(props: { refreshKey?: unknown }): JSX.Element {
  const [runs, setRuns] = useState<RunRecord[] | null>(null);
  const [open, setOpen] = useState<{ record: RunRecord; result: unknown } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [threshold, setThreshold] = useState(0.5);

  useEffect(() => {
    void props.refreshKey;
    client
      .call('history.list', {})
      .then(setRuns)
      .catch((caught: unknown) => setError(String((caught as Error).message ?? caught)));
  }, [props.refreshKey]);

  const reopen = async (id: string) => {
    try {
      const run = await client.call('history.get', { id });
      setOpen(run);
      const settings = run.record.settings;
      setThreshold(typeof settings.threshold === 'number' ? settings.threshold : 0.5);
    } catch (caught) {
      setError(String((caught as Error).message ?? caught));
    }
  };

  return (
    <section className="card run-history" aria-labelledby="run-history-heading" data-testid="run-history">
      <h2 id="run-history-heading">Run history</h2>
      {error ? (
        <p className="bad" role="alert">
          {error}
        </p>
      ) : null}
      {runs && runs.length === 0 ? (
        <p className="hint">Batch and compare runs are kept here, with their checksums and settings.</p>
      ) : null}
      {runs && runs.length > 0 ? (
        <table className="io-table">
          <thead>
            <tr>
              <th>Finished</th>
              <th>Run</th>
              <th>Model</th>
              <th>Input</th>
              <th>Figures</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-testid="run-row">
                <td>{new Date(run.finishedAt).toLocaleString()}</td>
                <td>
                  {run.kind === 'batch' ? 'Batch' : 'Compare'} ({run.via})
                </td>
                <td title={run.models.map((model) => `${model.fileName} sha256 ${model.sha256}`).join('\n')}>
                  {run.models.map(modelName).join(' vs ')}
                </td>
                <td title={`sha256 ${run.input.sha256}`}>
                  {run.input.fileName} ({formatBytes(run.input.sizeBytes)})
                </td>
                <td>{headline(run)}</td>
                <td>
                  <button
                    type="button"
                    className="button"
                    onClick={() => void reopen(run.id)}
                    data-testid="run-reopen"
                  >
                    Reopen
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {open ? (
        <div className="run-reopened" data-testid="run-reopened">
          <h3>
            {open.record.kind === 'batch' ? 'Batch run' : 'Comparison'} of{' '}
            {new Date(open.record.finishedAt).toLocaleString()}
          </h3>
          <RunFacts record={open.record} />
          {open.record.kind === 'batch' ? (
            <BatchReportView
              summary={open.result as ScoringSummary}
              threshold={threshold}
              onThresholdChange={setThreshold}
            />
          ) : (
            <ReopenedComparison record={open.record} result={open.result as CompareCsvResult} />
          )}
        </div>
      ) : null}
    </section>
  );
}

function RunFacts(props: { record: RunRecord }): JSX.Element {
  const { record } = props;
  return (
    <dl className="run-facts" data-testid="run-facts">
      {record.models.map((model) => (
        <div key={model.role}>
          <dt>{model.role === 'model' ? 'Model' : `Model ${model.role.toUpperCase()}`}</dt>
          <dd>
            {modelName(model)} — {model.fileName}, SHA-256 <code>{model.sha256}</code>
          </dd>
        </div>
      ))}
      <div>
        <dt>Input</dt>
        <dd>
          {record.input.path} ({formatBytes(record.input.sizeBytes)}), SHA-256{' '}
          <code>{record.input.sha256}</code>
        </dd>
      </div>
      <div>
        <dt>Settings</dt>
        <dd>
          <code>{JSON.stringify(record.settings)}</code>
        </dd>
      </div>
      {Object.entries(record.outputs).map(([name, file]) => (
        <div key={name}>
          <dt>{name}</dt>
          <dd>
            <code>{file}</code>
          </dd>
        </div>
      ))}
    </dl>
  );
}

function ReopenedComparison(props: { record: RunRecord; result: CompareCsvResult }): JSX.Element {
  const { result, record } = props;
  const [a, b] = record.models;
  return (
    <div>
      <p>
        {result.compared.toLocaleString('en-US')} rows compared; labels agree on{' '}
        {(result.labelAgreement * 100).toFixed(2)} %, mean |Δp| {result.meanAbsDelta.toFixed(6)},{' '}
        {result.flips.count} decisions flip at {result.threshold}.
      </p>
      {result.decisions && a && b ? (
        <CompareDecisions comparison={result.decisions} nameA={modelName(a)} nameB={modelName(b)} />
      ) : null}
    </div>
  );
}
