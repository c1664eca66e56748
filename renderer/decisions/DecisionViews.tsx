import { type JSX, useEffect, useId, useMemo, useRef, useState } from 'react';
import {
  parseCapacity,
  rankForCapacity,
  selectByCapacity,
  selectionAt,
} from '../../main/analysis/capacity.ts';
import type { LabelledComparison, ModelDecisions, ScoreRanking } from '../../shared/contract/index.ts';
import { ChartFigure } from '../charts/ChartFigure.tsx';
import {
  calibrationOverlay,
  gainsOverlay,
  precisionRecallOverlay,
  rocOverlay,
  type Series,
} from './decision-charts.ts';
import './decisions.css';

const f3 = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : value.toFixed(3);
const f4 = (value: number | null | undefined) =>
  value === null || value === undefined ? 'n/a' : value.toFixed(4);
const percent = (value: number, digits = 1) => `${(value * 100).toFixed(digits)} %`;
const count = (value: number) => Math.round(value).toLocaleString('en-US');

/** Each model's figures against the label, side by side, and DeLong's verdict in one sentence. */
export function CompareDecisions(props: {
  comparison: LabelledComparison;
  nameA: string;
  nameB: string;
}): JSX.Element {
  const { comparison, nameA, nameB } = props;
  const { a, b, delong } = comparison;
  const series: Series[] = useMemo(
    () => [
      { name: nameA, figures: a },
      { name: nameB, figures: b },
    ],
    [a, b, nameA, nameB],
  );
  const charts = useMemo(
    () => ({
      roc: rocOverlay(series),
      pr: precisionRecallOverlay(series),
      calibration: calibrationOverlay(series),
      gains: gainsOverlay(series),
    }),
    [series],
  );
  const rows: Array<[string, number | null, number | null, boolean]> = [
    ['ROC AUC', a.rocAuc, b.rocAuc, true],
    ['Average precision', a.averagePrecision, b.averagePrecision, true],
    ['Log loss', a.logLoss, b.logLoss, false],
    ['Brier score', a.brier, b.brier, false],
    [`Accuracy at ${a.atThreshold.threshold}`, a.atThreshold.accuracy, b.atThreshold.accuracy, true],
    [`Precision at ${a.atThreshold.threshold}`, a.atThreshold.precision, b.atThreshold.precision, true],
    [`Recall at ${a.atThreshold.threshold}`, a.atThreshold.recall, b.atThreshold.recall, true],
    [`F1 at ${a.atThreshold.threshold}`, a.atThreshold.f1, b.atThreshold.f1, true],
  ];
  return (
    <div className="compare-decisions" data-testid="compare-decisions">
      <h4>
        Against “{comparison.labelColumn}” ({count(comparison.rows)} rows, {count(comparison.positives)}{' '}
        converted)
      </h4>
      <p
        className={delong && delong.pValue < 0.05 ? 'verdict real' : 'verdict'}
        data-testid="compare-verdict"
      >
        {comparison.verdict}
      </p>
      <table className="io-table decision-table" data-testid="compare-metrics">
        <thead>
          <tr>
            <th>Figure</th>
            <th>A: {nameA}</th>
            <th>B: {nameB}</th>
            <th>Better</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([label, x, y, higherIsBetter]) => (
            <tr key={label}>
              <th scope="row">{label}</th>
              <td className="mono">{f4(x)}</td>
              <td className="mono">{f4(y)}</td>
              <td>{x === null || y === null || x === y ? '—' : x > y === higherIsBetter ? 'A' : 'B'}</td>
            </tr>
          ))}
          {delong ? (
            <tr>
              <th scope="row">AUC B − A (DeLong)</th>
              <td className="mono" colSpan={3}>
                {f4(delong.aucDifference)}, 95 % CI {f4(delong.ci95[0])} to {f4(delong.ci95[1])}, z{' '}
                {delong.z === null ? 'n/a' : delong.z.toFixed(2)}, p{' '}
                {delong.pValue < 1e-4 ? delong.pValue.toExponential(1) : delong.pValue.toFixed(4)}
              </td>
            </tr>
          ) : null}
        </tbody>
      </table>
      <div className="decision-charts">
        <ChartFigure className="decision-chart" config={charts.roc} label="ROC curves" testId="compare-roc" />
        <ChartFigure
          className="decision-chart"
          config={charts.pr}
          label="Precision-recall curves"
          testId="compare-pr"
        />
        <ChartFigure
          className="decision-chart"
          config={charts.calibration}
          label="Calibration by score decile"
          testId="compare-calibration"
        />
        <ChartFigure
          className="decision-chart"
          config={charts.gains}
          label="Cumulative gains"
          testId="compare-gains-chart"
        />
      </div>
      <GainsTable series={series} />
    </div>
  );
}

/** Gains and lift by decile, for one model or two. */
export function GainsTable(props: { series: readonly Series[] }): JSX.Element {
  const [first] = props.series;
  if (!first || first.figures.gains.length === 0)
    return <p className="hint">No conversions in the label: no gains.</p>;
  return (
    <table className="io-table decision-table" data-testid="gains-table">
      <caption>
        Gains and lift by decile: the top 10 % of rows by score hold what share of the conversions, and how
        many times the file's rate
      </caption>
      <thead>
        <tr>
          <th>Top</th>
          {props.series.map((s) => (
            <th key={s.name} colSpan={3}>
              {s.name}
            </th>
          ))}
        </tr>
        <tr>
          <th>rows</th>
          {props.series.map((s) => [
            <th key={`${s.name}-gain`}>conversions reached</th>,
            <th key={`${s.name}-lift`}>cumulative lift</th>,
            <th key={`${s.name}-decile`}>decile lift</th>,
          ])}
        </tr>
      </thead>
      <tbody>
        {first.figures.gains.map((row, i) => (
          <tr key={row.group}>
            <td>
              {percent(row.populationShare, 0)} ({count(row.cumulativeRows)})
            </td>
            {props.series.map((s) => {
              const g = s.figures.gains[i];
              return g
                ? [
                    <td key={`${s.name}-gain`} className="mono">
                      {percent(g.cumulativeGain)}
                    </td>,
                    <td key={`${s.name}-lift`} className="mono">
                      {g.cumulativeLift.toFixed(2)}
                    </td>,
                    <td key={`${s.name}-decile`} className="mono">
                      {g.lift.toFixed(2)}
                    </td>,
                  ]
                : null;
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/**
 * "My team can call N leads (or X %)": the field and the threshold slider move together. The selection
 * follows main/analysis/capacity.ts exactly (rows tied with the N-th are selected too).
 */
export function CapacityControl(props: {
  ranking: ScoreRanking;
  threshold: number;
  onThresholdChange: (threshold: number) => void;
  /** False when the page has its own threshold slider (Batch's report): the two stay in step anyway. */
  slider?: boolean;
}): JSX.Element {
  const { ranking, threshold } = props;
  const ids = useId();
  const ranked = useMemo(() => rankForCapacity(ranking.scores, ranking.labels), [ranking]);
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  // A threshold set elsewhere (the slider) makes the typed capacity stale: the field then shows nothing
  // typed and the sentence below says what the threshold selects.
  const setByCapacity = useRef<number | null>(null);
  useEffect(() => {
    if (setByCapacity.current !== null && setByCapacity.current !== threshold) {
      setByCapacity.current = null;
      setText('');
    }
  }, [threshold]);
  const stride = ranking.stride;
  const selection = selectionAt(ranked, threshold);
  const approx = stride > 1 ? '≈ ' : '';
  const typedCapacity = (() => {
    try {
      return text.trim() ? parseCapacity(text) : null;
    } catch {
      return null;
    }
  })();
  const capacityRows = typedCapacity
    ? typedCapacity.kind === 'count'
      ? typedCapacity.count
      : Math.floor(typedCapacity.share * ranking.rows + 0.5)
    : null;
  const over = capacityRows !== null ? selection.selected * stride - capacityRows : 0;

  const applyCapacity = (value: string) => {
    setText(value);
    if (!value.trim()) return setProblem(null);
    try {
      const request = parseCapacity(value);
      // On a thinned ranking, N rows of the file are N / stride entries of it.
      const scaled =
        request.kind === 'count'
          ? { kind: 'count' as const, count: Math.round(request.count / stride) }
          : request;
      const result = selectByCapacity(ranked, scaled);
      setProblem(null);
      if (result.threshold !== null) {
        setByCapacity.current = result.threshold;
        props.onThresholdChange(result.threshold);
      }
    } catch (caught) {
      setProblem((caught as Error).message);
    }
  };

  return (
    <div className="capacity" data-testid="capacity">
      <div className="capacity-inputs">
        <label htmlFor={`${ids}-capacity`}>Capacity (leads to call, or %)</label>
        <input
          id={`${ids}-capacity`}
          value={text}
          placeholder="e.g. 150 or 10%"
          onChange={(event) => applyCapacity(event.target.value)}
          data-testid="capacity-input"
          aria-describedby={`${ids}-capacity-result`}
        />
        {props.slider === false ? null : (
          <>
            <label htmlFor={`${ids}-slider`}>Threshold</label>
            <input
              id={`${ids}-slider`}
              type="range"
              min={0}
              max={1}
              step={0.001}
              value={threshold}
              onChange={(event) => props.onThresholdChange(Number(event.target.value))}
              data-testid="capacity-threshold"
            />
            <output className="mono" data-testid="capacity-threshold-value">
              {threshold.toFixed(4)}
            </output>
          </>
        )}
      </div>
      {problem ? (
        <p className="bad" role="alert">
          {problem}
        </p>
      ) : null}
      <p id={`${ids}-capacity-result`} role="status" data-testid="capacity-result">
        Score ≥ {threshold.toFixed(4)} selects {approx}
        <b>{count(selection.selected * stride)}</b> of {count(ranking.rows)} rows
        {over > 0 ? ` (${count(over)} beyond the capacity: they tie with the last one in it)` : ''}; the model
        expects {approx}
        <b>
          {selection.expectedConversions * stride >= 0
            ? (selection.expectedConversions * stride).toFixed(1)
            : ''}
        </b>{' '}
        conversions among them
        {selection.conversions !== undefined ? (
          <>
            ; the label has {approx}
            <b data-testid="capacity-conversions">{count(selection.conversions * stride)}</b> (precision{' '}
            {percent(selection.precision ?? 0)}, recall {percent(selection.recall ?? 0)}, lift{' '}
            {(selection.lift ?? 0).toFixed(2)})
          </>
        ) : null}
        .
      </p>
    </div>
  );
}

/** The capacity table of the report: 5, 10, 20, 30 and 50 % of the rows. */
export function CapacityTable(props: { rows: ModelDecisions['capacity'] }): JSX.Element {
  const labelled = props.rows.some((row) => row.conversions !== undefined);
  return (
    <table className="io-table decision-table" data-testid="capacity-table">
      <caption>Whom to call: the top rows by score at a few capacities</caption>
      <thead>
        <tr>
          <th>Capacity</th>
          <th>Threshold</th>
          <th>Selected</th>
          <th>Expected conversions</th>
          {labelled ? (
            <>
              <th>Conversions</th>
              <th>Precision</th>
              <th>Recall</th>
              <th>Lift</th>
            </>
          ) : null}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr key={row.capacity}>
            <td>
              {row.request.kind === 'share' ? percent(row.request.share, 0) : count(row.request.count)} (
              {count(row.capacity)})
            </td>
            <td className="mono">{f4(row.threshold)}</td>
            <td>
              {count(row.selected)}
              {row.tiedBeyondCapacity > 0 ? ` (+${row.tiedBeyondCapacity} tied)` : ''}
            </td>
            <td className="mono">{row.expectedConversions.toFixed(1)}</td>
            {labelled ? (
              <>
                <td>{count(row.conversions ?? 0)}</td>
                <td className="mono">{f3(row.precision)}</td>
                <td className="mono">{f3(row.recall)}</td>
                <td className="mono">{(row.lift ?? 0).toFixed(2)}</td>
              </>
            ) : null}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
