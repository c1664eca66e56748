import type { ChartConfiguration } from 'chart.js';
import { useEffect, useId, useMemo, useState } from 'react';
import type {
  CompareCsvResult,
  ComparePayloadResult,
  Compatibility,
  LibraryEntry,
  ModelInfo,
} from '../../shared/contract/index.ts';
import { formatAgainstThreshold } from '../../shared/format/decision.ts';
import {
  blockedReason,
  type CsvReadChoices,
  CsvReadSettings,
  csvSetup,
  defaultCsvReadChoices,
  UnseenCategoriesList,
} from '../batch/CsvReadSettings.tsx';
import { useCsvCheck } from '../batch/use-csv-check.ts';
import { useChart } from '../charts/use-chart.ts';
import { client, newOperationId } from '../client/index.ts';
import { CompareDecisions } from '../decisions/DecisionViews.tsx';
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
  // null: not chosen yet, so the column Batch would suggest (e.g. `converted`) is used.
  const [labelChoice, setLabelChoice] = useState<string | null>(null);
  const [csvPath, setCsvPath] = useState<string | null>(null);
  const [choices, setChoices] = useState<CsvReadChoices>(defaultCsvReadChoices);
  const csv = useCsvCheck(model.modelId, csvPath, choices);
  const [progress, setProgress] = useState<string | null>(null);
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

  const chooseCsv = (file: File) =>
    run(async () => {
      setCsvResult(null);
      setChoices(defaultCsvReadChoices);
      setLabelChoice(null);
      setCsvPath(await client.pathForFile(file));
    });

  const compareCsv = () =>
    run(async () => {
      if (!other || !csvPath) return;
      const operationId = newOperationId('compare');
      const stop = client.onEvent('progress', (event) => {
        if (event.operationId === operationId)
          setProgress(`${event.stage} · ${(event.stats?.rows ?? 0).toLocaleString()} rows…`);
      });
      try {
        setCsvResult(
          await client.call('compare.csv', {
            ...csvSetup(model.modelId, csvPath, choices),
            modelIdB: other.modelId,
            threshold: Number(threshold),
            ...(labelColumn ? { labelColumn } : {}),
            operationId,
          }),
        );
      } finally {
        stop();
      }
    });

  const csvReason = csv.inspection ? blockedReason(csv.inspection, csv.check) : null;
  const labelColumn = labelChoice ?? csv.inspection?.suggestedLabelColumn ?? '';
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
          <div className="actions">
            <label className={`button${busy ? ' disabled' : ''}`}>
              {csvPath ? 'Choose another CSV…' : 'Choose a CSV…'}
              <input
                type="file"
                accept=".csv,.tsv,.txt,text/csv"
                className="visually-hidden"
                disabled={busy}
                data-testid="compare-csv-input"
                onChange={(event) => {
                  const file = event.target.files?.[0];
                  event.target.value = '';
                  if (file) void chooseCsv(file);
                }}
              />
            </label>
          </div>
          {csv.inspection ? (
            <>
              <p className="hint">
                The CSV is read exactly as Batch reads it: the same settings, the same rows, the same row
                numbers (lines of the file).
              </p>
              <CsvReadSettings
                model={model}
                inspection={csv.inspection}
                check={csv.check}
                checking={csv.checking}
                choices={choices}
                onChange={(patch) => setChoices((current) => ({ ...current, ...patch }))}
              />
              {csvReason ? (
                <p className="bad" role="alert" data-testid="compare-blocked">
                  {csvReason}
                </p>
              ) : null}
              <div className="actions">
                <label htmlFor={`${ids}-label`}>Label column (which model is better)</label>
                <select
                  id={`${ids}-label`}
                  value={labelColumn}
                  data-testid="compare-label-column"
                  onChange={(event) => setLabelChoice(event.target.value)}
                >
                  <option value="">none</option>
                  {csv.inspection.columns.map((column) => (
                    <option key={column} value={column}>
                      {column}
                    </option>
                  ))}
                </select>
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
                <button
                  type="button"
                  className="button primary"
                  data-testid="compare-csv-run"
                  disabled={busy || !thresholdValid || csvReason !== null || !csv.check}
                  onClick={() => void compareCsv()}
                >
                  Compare the CSV
                </button>
                {progress !== null ? <span className="hint">{progress}</span> : null}
              </div>
            </>
          ) : null}
          {csv.error ? (
            <p className="card error-card" role="alert">
              {csv.error}
            </p>
          ) : null}
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
            ? ` (${result.failed.toLocaleString()} failed, as in Batch: line ${result.errors[0]?.row ?? ''} ${result.errors[0]?.message ?? ''})`
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
      <UnseenCategoriesList unseen={result.unseenCategories} testId="compare-unseen" />
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
                <th>Line</th>
                <th>p(A)</th>
                <th>p(B)</th>
              </tr>
            </thead>
            <tbody>
              {result.flippedRows.map((flip) => (
                <tr key={flip.row}>
                  <td>{flip.row}</td>
                  <td>{formatAgainstThreshold(flip.a, result.threshold)}</td>
                  <td>{formatAgainstThreshold(flip.b, result.threshold)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      ) : null}
      {result.decisions ? (
        <CompareDecisions comparison={result.decisions} nameA={nameA} nameB={nameB} />
      ) : null}
    </div>
  );
}
