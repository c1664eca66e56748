import type { ChartConfiguration } from 'chart.js';
import { useEffect, useId, useMemo, useState } from 'react';
import type {
  CompareCsvResult,
  ComparePayloadResult,
  Compatibility,
  LibraryEntry,
  ModelInfo,
} from '../../shared/contract/index.ts';
import { useChart } from '../charts/use-chart.ts';
import { client, newOperationId } from '../client/index.ts';
import { errorMessage, formatProbability } from './format.ts';
import { PayloadEditor, usePayloadSource } from './PayloadSource.tsx';
import { useBusyAction } from './use-busy-action.ts';

export interface ComparePanelProps {
  /** Model A: the open model. Model B is picked from the library. */
  model: ModelInfo;
  /** The payload on the Try tab; when absent the panel shows its own JSON editor. */
  payload?: Record<string, unknown> | null;
}

/** Two versions side by side: one payload, then a whole CSV (agreement, |Δp|, scatter, decision flips). */
export function ComparePanel(props: ComparePanelProps) {
  const { model } = props;
  const source = usePayloadSource(model, props.payload);
  const [entries, setEntries] = useState<LibraryEntry[]>([]);
  const [otherId, setOtherId] = useState('');
  const [other, setOther] = useState<ModelInfo | null>(null);
  const [compatibility, setCompatibility] = useState<Compatibility | null>(null);
  const [payloadResult, setPayloadResult] = useState<ComparePayloadResult | null>(null);
  const [csvResult, setCsvResult] = useState<CompareCsvResult | null>(null);
  const [threshold, setThreshold] = useState('0.5');
  const [fill, setFill] = useState<Record<string, string>>({});
  const [progress, setProgress] = useState<number | null>(null);
  const action = useBusyAction();
  const { error, setError } = action;
  const busy = action.busy !== null;
  const ids = useId();

  useEffect(() => {
    client
      .call('library.list', {})
      .then((list) => setEntries(list.entries.filter((entry) => entry.sha256 !== model.file.sha256)))
      .catch((caught: unknown) => setError(errorMessage(caught)));
  }, [model.file.sha256, setError]);

  const run = (work: () => Promise<void>) => action.run('Comparing', work, () => setProgress(null));

  const pick = (id: string) =>
    run(async () => {
      setOtherId(id);
      setOther(null);
      setCompatibility(null);
      setPayloadResult(null);
      setCsvResult(null);
      if (!id) return;
      const opened = await client.call('library.open', { id, operationId: newOperationId('open') });
      setOther(opened);
      setCompatibility(
        await client.call('compare.check', { modelIdA: model.modelId, modelIdB: opened.modelId }),
      );
    });

  const comparePayload = () =>
    run(async () => {
      if (!other || !source.payload) return;
      setPayloadResult(
        await client.call('compare.payload', {
          modelIdA: model.modelId,
          modelIdB: other.modelId,
          payload: source.payload,
        }),
      );
    });

  const compareCsv = (file: File) =>
    run(async () => {
      if (!other) return;
      const csvPath = await client.pathForFile(file);
      const operationId = newOperationId('compare');
      const stop = client.onEvent('progress', (event) => {
        if (event.operationId === operationId) setProgress(event.done);
      });
      try {
        setCsvResult(
          await client.call('compare.csv', {
            modelIdA: model.modelId,
            modelIdB: other.modelId,
            csvPath,
            threshold: Number(threshold),
            fill: fillValues(model, fill),
            operationId,
          }),
        );
      } finally {
        stop();
      }
    });

  const thresholdValue = Number(threshold);
  const thresholdValid = threshold.trim() !== '' && thresholdValue >= 0 && thresholdValue <= 1;
  const nameA = model.file.fileName;
  const nameB = other?.file.fileName ?? 'B';

  return (
    <section className="compare" aria-label="Compare versions">
      <h3>Compare with another version</h3>
      <div className="actions">
        <label htmlFor={`${ids}-other`}>Model B</label>
        <select
          id={`${ids}-other`}
          value={otherId}
          onChange={(event) => void pick(event.target.value)}
          disabled={busy}
        >
          <option value="">Choose a model from the library…</option>
          {entries.map((entry) => (
            <option key={entry.id} value={entry.id}>
              {entry.name} {entry.versionLabel} ({entry.fileName})
            </option>
          ))}
        </select>
      </div>
      {entries.length === 0 ? (
        <p className="hint">Open another version of this model to compare with it.</p>
      ) : null}
      {compatibility && !compatibility.compatible ? (
        <div className="card error-card" role="alert">
          <p className="error-message">These models read different inputs:</p>
          <ul>
            {compatibility.differences.map((difference) => (
              <li key={difference}>{difference}</li>
            ))}
          </ul>
        </div>
      ) : null}
      {other && compatibility?.compatible ? (
        <>
          {props.payload ? null : (
            <PayloadEditor text={source.text} onChange={source.setText} problem={source.problem} />
          )}
          <div className="actions">
            <button
              type="button"
              className="button"
              onClick={comparePayload}
              disabled={busy || !source.payload}
            >
              Compare this payload
            </button>
          </div>
          {payloadResult ? (
            <table className="io-table" data-testid="compare-payload">
              <thead>
                <tr>
                  <th />
                  <th>A: {nameA}</th>
                  <th>B: {nameB}</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">label</th>
                  <td>{String(payloadResult.a.label ?? '')}</td>
                  <td>{String(payloadResult.b.label ?? '')}</td>
                </tr>
                <tr>
                  <th scope="row">probability</th>
                  <td>{formatProbability(payloadResult.a.probability)}</td>
                  <td>{formatProbability(payloadResult.b.probability)}</td>
                </tr>
                <tr>
                  <th scope="row">|Δp|</th>
                  <td colSpan={2}>
                    {formatProbability(payloadResult.absDelta)}{' '}
                    {payloadResult.labelsAgree ? '(same label)' : '(labels differ)'}
                  </td>
                </tr>
              </tbody>
            </table>
          ) : null}
          <fieldset className="fill-values">
            <legend>Empty cells in the CSV</legend>
            {model.inputs
              .filter((input) => input.width === 1)
              .map((input) => (
                <span key={input.name} className="fill-value">
                  <label htmlFor={`${ids}-fill-${input.name}`}>{input.name}</label>
                  <input
                    id={`${ids}-fill-${input.name}`}
                    value={fill[input.name] ?? ''}
                    placeholder="skip the row"
                    onChange={(event) =>
                      setFill((current) => ({ ...current, [input.name]: event.target.value }))
                    }
                  />
                </span>
              ))}
          </fieldset>
          <div className="actions">
            <label htmlFor={`${ids}-threshold`}>Threshold</label>
            <input
              id={`${ids}-threshold`}
              type="number"
              min={0}
              max={1}
              step={0.01}
              value={threshold}
              onChange={(event) => setThreshold(event.target.value)}
              aria-invalid={!thresholdValid}
            />
            <label className={`button${busy || !thresholdValid ? ' disabled' : ''}`}>
              Compare a CSV…
              <input
                type="file"
                accept=".csv,.tsv,.txt,text/csv"
                className="visually-hidden"
                disabled={busy || !thresholdValid}
                data-testid="compare-csv-input"
                onChange={(event) => {
                  const file = event.target.files?.[0];
                  event.target.value = '';
                  if (file) void compareCsv(file);
                }}
              />
            </label>
            {progress !== null ? <span className="hint">{progress.toLocaleString()} rows…</span> : null}
          </div>
        </>
      ) : null}
      {error ? (
        <p className="card error-card" role="alert">
          {error}
        </p>
      ) : null}
      {csvResult ? <CompareCsvReport result={csvResult} nameA={nameA} nameB={nameB} /> : null}
    </section>
  );
}

/** Fill values the user typed, numbers for numeric inputs; blank means "skip rows with an empty cell". */
function fillValues(
  model: ModelInfo,
  typed: Record<string, string>,
): Record<string, string | number> | undefined {
  const fill: Record<string, string | number> = {};
  for (const input of model.inputs) {
    const text = typed[input.name]?.trim();
    if (!text) continue;
    fill[input.name] = input.kind === 'numeric' && Number.isFinite(Number(text)) ? Number(text) : text;
  }
  return Object.keys(fill).length > 0 ? fill : undefined;
}

/** The figures, the scatter of p(A) against p(B) and the first rows whose decision flips. */
export function CompareCsvReport(props: { result: CompareCsvResult; nameA: string; nameB: string }) {
  const { result, nameA, nameB } = props;
  const config = useMemo<ChartConfiguration>(
    () => ({
      type: 'scatter',
      data: {
        datasets: [
          {
            label: 'rows',
            data: result.scatter.map(([a, b]) => ({ x: a, y: b })),
            backgroundColor: 'rgba(37, 99, 235, 0.45)',
            pointRadius: 2,
          },
          {
            type: 'line',
            label: 'p(A) = p(B)',
            data: [
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ],
            borderColor: '#9ca3af',
            pointRadius: 0,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: 'linear', min: 0, max: 1, title: { display: true, text: `p(A) ${nameA}` } },
          y: { min: 0, max: 1, title: { display: true, text: `p(B) ${nameB}` } },
        },
        plugins: { legend: { display: false } },
      },
    }),
    [result, nameA, nameB],
  );
  const canvas = useChart(config);
  return (
    <div className="compare-report" data-testid="compare-report">
      <dl className="compare-figures">
        <dt>Rows compared</dt>
        <dd>
          {result.compared.toLocaleString()} of {result.rows.toLocaleString()}
          {result.failed > 0
            ? ` (${result.failed.toLocaleString()} skipped: ${result.errors[0]?.message ?? ''})`
            : ''}
        </dd>
        <dt>Label agreement</dt>
        <dd>{(result.labelAgreement * 100).toFixed(2)} %</dd>
        <dt>Mean |Δp|</dt>
        <dd>{formatProbability(result.meanAbsDelta)}</dd>
        <dt>Max |Δp|</dt>
        <dd>{formatProbability(result.maxAbsDelta)}</dd>
        <dt>Decisions that flip at {result.threshold}</dt>
        <dd data-testid="compare-flips">
          {result.flips.count.toLocaleString()} ({result.flips.aToB} yes → no, {result.flips.bToA} no → yes)
        </dd>
      </dl>
      <div className="chart-box square">
        <canvas ref={canvas} role="img" aria-label="Scatter plot of p(A) against p(B)" />
      </div>
      {result.flippedRows.length > 0 ? (
        <details>
          <summary>
            First {result.flippedRows.length} of {result.flips.count} rows that flip
          </summary>
          <table className="io-table">
            <thead>
              <tr>
                <th>Row</th>
                <th>p(A)</th>
                <th>p(B)</th>
              </tr>
            </thead>
            <tbody>
              {result.flippedRows.map((flip) => (
                <tr key={flip.row}>
                  <td>{flip.row}</td>
                  <td>{formatProbability(flip.a)}</td>
                  <td>{formatProbability(flip.b)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
    </div>
  );
}
