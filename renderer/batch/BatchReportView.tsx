import { type JSX, useMemo, useState } from 'react';
import { metricsFromConfusion } from '../../main/analysis/probability-metrics.ts';
import type { ScoringSummary, ThresholdMetrics } from '../../shared/contract/index.ts';
import { ChartFigure } from '../charts/ChartFigure.tsx';
import { DownloadLink } from '../client/DownloadLink.tsx';
import { CapacityControl, CapacityTable, GainsTable } from '../decisions/DecisionViews.tsx';
import { calibrationOverlay, classHistogram, precisionRecallOverlay } from '../decisions/decision-charts.ts';
import { BatchImportance } from '../explain/BatchExplain.tsx';
import { calibrationChart, histogramChart, rocChart } from './batch-charts.ts';

/** 0.8 → "0.80"; a threshold a capacity chose (0.87341…) keeps four decimals. */
function formatThreshold(threshold: number): string {
  return Number(threshold.toFixed(2)) === threshold ? threshold.toFixed(2) : threshold.toFixed(4);
}

/**
 * The figures at the threshold: from the run's 0.01-step table when the threshold is on it, else counted
 * exactly from the ranking (every score and label, highest first).
 */
function metricsAt(
  metrics: NonNullable<ScoringSummary['report']['metrics']>,
  ranking: ScoringSummary['report']['ranking'],
  threshold: number,
): ThresholdMetrics | undefined {
  const listed = metrics.thresholdTable.find((row) => Math.abs(row.threshold - threshold) < 1e-9);
  if (listed || !ranking?.labels || ranking.stride !== 1) return listed;
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < ranking.scores.length && (ranking.scores[i] ?? 0) >= threshold; i++) {
    if (ranking.labels[i] === 1) tp++;
    else fp++;
  }
  const fn = metrics.positives - tp;
  return metricsFromConfusion(threshold, { tp, fp, fn, tn: metrics.rows - tp - fp - fn });
}

const f4 = (value: number | null) => (value === null ? 'n/a' : value.toFixed(4));
const count = (value: number) => value.toLocaleString('en-US');

/** The report of one run: counts, histogram, top rows and, with a label column, metrics at a movable threshold. */
export function BatchReportView(props: {
  summary: ScoringSummary;
  threshold: number;
  onThresholdChange: (threshold: number) => void;
}): JSX.Element {
  const { summary, threshold } = props;
  const { report } = summary;
  const metrics = report.metrics;
  const histogram = useMemo(() => histogramChart(report), [report]);
  const roc = useMemo(() => (metrics ? rocChart(metrics, threshold) : null), [metrics, threshold]);
  const decisions = metrics?.decisions;
  const calibration = useMemo(
    () =>
      decisions
        ? calibrationOverlay([{ name: 'observed rate', figures: decisions }])
        : metrics
          ? calibrationChart(metrics)
          : null,
    [metrics, decisions],
  );
  const precisionRecall = useMemo(
    () => (decisions ? precisionRecallOverlay([{ name: 'this model', figures: decisions }]) : null),
    [decisions],
  );
  const byClass = useMemo(
    () => (report.scoreHistogram ? classHistogram(report.scoreHistogram, report.scoreName) : null),
    [report],
  );
  const ranking = report.ranking;
  const at: ThresholdMetrics | undefined = useMemo(
    () => (metrics ? metricsAt(metrics, ranking, threshold) : undefined),
    [metrics, ranking, threshold],
  );
  const [showAllTop, setShowAllTop] = useState(false);
  const topRows = showAllTop ? report.topRows.rows : report.topRows.rows.slice(0, 5);

  return (
    <div className="batch-report" data-testid="batch-report">
      <p data-testid="batch-summary">
        Scored <b data-testid="batch-scored">{count(summary.scored)}</b> of <b>{count(summary.rows)}</b> rows
        in {summary.seconds.toFixed(2)} s ({count(Math.round(summary.rowsPerSecond))} rows/s).{' '}
        {summary.failed > 0 ? (
          <span className="bad" data-testid="batch-failed">
            {count(summary.failed)} rows could not be scored; they are listed in{' '}
            <code>{summary.errorsPath}</code>.{' '}
            {summary.errorsPath ? (
              <DownloadLink path={summary.errorsPath} testId="batch-download-errors" />
            ) : null}
          </span>
        ) : null}
      </p>
      <p>
        Output: <code data-testid="batch-output-path">{summary.outputPath}</code> (added{' '}
        {summary.addedColumns.join(', ')}){' '}
        <DownloadLink path={summary.outputPath} testId="batch-download-output" />
      </p>
      {Object.keys(summary.failuresByReason).length > 0 ? (
        <ul className="batch-failures">
          {Object.entries(summary.failuresByReason).map(([reason, n]) => (
            <li key={reason}>
              {count(n)} × {reason}
            </li>
          ))}
        </ul>
      ) : null}

      {metrics && at ? (
        <section aria-label="Metrics against the label column" data-testid="batch-metrics">
          <h3>
            Against “{metrics.labelColumn}” ({count(metrics.rows)} rows, {count(metrics.positives)} positive)
          </h3>
          <label className="batch-threshold">
            Threshold <b data-testid="batch-threshold-value">{formatThreshold(threshold)}</b>
            <input
              type="range"
              min={0}
              max={1}
              step={ranking ? 0.001 : 0.01}
              value={threshold}
              aria-label="Threshold"
              data-testid="batch-threshold"
              onChange={(event) => props.onThresholdChange(Number(event.target.value))}
            />
          </label>
          {ranking ? (
            <CapacityControl
              ranking={ranking}
              threshold={threshold}
              onThresholdChange={props.onThresholdChange}
              slider={false}
            />
          ) : null}
          <table className="io-table batch-metrics-table">
            <tbody>
              <tr>
                <th>ROC AUC</th>
                <td data-testid="metric-auc">{f4(metrics.rocAuc)}</td>
                <th>Log loss</th>
                <td data-testid="metric-logloss">{f4(metrics.logLoss)}</td>
              </tr>
              <tr>
                <th>Accuracy</th>
                <td data-testid="metric-accuracy">{f4(at.accuracy)}</td>
                <th>Precision</th>
                <td data-testid="metric-precision">{f4(at.precision)}</td>
              </tr>
              <tr>
                <th>Recall</th>
                <td data-testid="metric-recall">{f4(at.recall)}</td>
                <th>F1</th>
                <td data-testid="metric-f1">{f4(at.f1)}</td>
              </tr>
            </tbody>
          </table>
          <table className="io-table" data-testid="confusion-matrix">
            <caption>Confusion matrix at {formatThreshold(threshold)}</caption>
            <thead>
              <tr>
                <th />
                <th>Predicted positive</th>
                <th>Predicted negative</th>
              </tr>
            </thead>
            <tbody>
              <tr>
                <th>Actual positive</th>
                <td>{count(at.confusion.tp)}</td>
                <td>{count(at.confusion.fn)}</td>
              </tr>
              <tr>
                <th>Actual negative</th>
                <td>{count(at.confusion.fp)}</td>
                <td>{count(at.confusion.tn)}</td>
              </tr>
            </tbody>
          </table>
        </section>
      ) : null}

      {!metrics && ranking ? (
        <CapacityControl
          ranking={ranking}
          threshold={threshold}
          onThresholdChange={props.onThresholdChange}
        />
      ) : null}

      <div className="batch-charts">
        <ChartFigure
          className="batch-chart"
          config={byClass ?? histogram}
          label={
            byClass
              ? `Score distribution${decisions ? ' per class' : ''} (${report.scoreName}), bars over the scores seen`
              : `Score histogram (${report.scoreName})`
          }
          testId="chart-histogram"
        />
        {roc ? (
          <ChartFigure className="batch-chart" config={roc} label="ROC curve" testId="chart-roc" />
        ) : null}
        {precisionRecall ? (
          <ChartFigure
            className="batch-chart"
            config={precisionRecall}
            label="Precision-recall curve"
            testId="chart-pr"
          />
        ) : null}
        {calibration ? (
          <ChartFigure
            className="batch-chart"
            config={calibration}
            label={decisions ? 'Calibration by score decile' : 'Calibration'}
            testId="chart-calibration"
          />
        ) : null}
      </div>

      {decisions ? <GainsTable series={[{ name: 'this model', figures: decisions }]} /> : null}
      {report.capacity ? <CapacityTable rows={report.capacity} /> : null}

      <div className="table-scroll">
        <table className="io-table batch-top" data-testid="batch-top-rows">
          <caption>Highest-scoring rows</caption>
          <thead>
            <tr>
              <th>Line</th>
              <th>Score</th>
              {report.topRows.columns.map((column) => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {topRows.map((row) => (
              <tr key={row.line}>
                <td>{row.line}</td>
                <td>{row.score.toFixed(4)}</td>
                {row.cells.map((cell, index) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                  <td key={index}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {report.topRows.rows.length > 5 ? (
        <button type="button" className="link-button" onClick={() => setShowAllTop(!showAllTop)}>
          {showAllTop ? 'Show 5' : `Show all ${report.topRows.rows.length}`}
        </button>
      ) : null}
      {summary.explanations ? <BatchImportance explanations={summary.explanations} /> : null}
    </div>
  );
}
