import type { ChartConfiguration } from 'chart.js';
import { useId, useMemo, useState } from 'react';
import type { ModelInfo, WhatIfCurve } from '../../shared/contract/index.ts';
import { useChart } from '../charts/use-chart.ts';
import { client } from '../client/index.ts';
import { errorMessage, formatProbability } from './format.ts';
import { PayloadEditor, usePayloadSource } from './PayloadSource.tsx';

export interface WhatIfPanelProps {
  model: ModelInfo;
  /** The payload on the Try tab; when absent the panel shows its own JSON editor. */
  payload?: Record<string, unknown> | null;
}

const rangeSources: Record<WhatIfCurve['rangeSource'], string> = {
  request: 'the range you gave',
  reference: 'the range seen in the attached reference CSV',
  categories: 'the categories the model knows',
  'around-value': '0 to twice the payload’s value',
};

/** Varies one input of the payload and plots the probability: why a lead scores as it does. */
export function WhatIfPanel(props: WhatIfPanelProps) {
  const { model } = props;
  const source = usePayloadSource(model, props.payload);
  const variable = model.inputs.filter((input) => input.width === 1);
  const [input, setInput] = useState(variable[0]?.name ?? '');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [curve, setCurve] = useState<WhatIfCurve | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = useId();
  const selected = model.inputs.find((candidate) => candidate.name === input);

  async function plot() {
    if (!source.payload) return;
    setBusy(true);
    setError(null);
    try {
      const range =
        selected?.kind === 'numeric' && from.trim() !== '' && to.trim() !== ''
          ? { from: Number(from), to: Number(to) }
          : {};
      setCurve(
        await client.call('whatif.curve', {
          modelId: model.modelId,
          payload: source.payload,
          input,
          ...range,
        }),
      );
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  }

  const config = useMemo<ChartConfiguration | null>(() => {
    if (!curve) return null;
    const label = model.task === 'regression' ? 'predicted value' : 'probability';
    const numeric = curve.kind === 'numeric';
    return {
      type: 'line',
      data: {
        labels: numeric ? undefined : curve.points.map((point) => String(point.value)),
        datasets: [
          {
            label,
            data: numeric
              ? curve.points.map((point) => ({ x: Number(point.value), y: point.probability }))
              : curve.points.map((point) => point.probability),
            borderColor: '#2563eb',
            backgroundColor: '#2563eb',
            pointRadius: numeric ? 0 : 4,
            showLine: numeric,
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { type: numeric ? 'linear' : 'category', title: { display: true, text: curve.input } },
          y:
            model.task === 'regression'
              ? { title: { display: true, text: label } }
              : { min: 0, max: 1, title: { display: true, text: label } },
        },
        plugins: { legend: { display: false } },
      },
    } as ChartConfiguration;
  }, [curve, model.task]);
  const canvas = useChart(config);

  return (
    <section className="whatif" aria-label="What-if">
      <h3>What-if</h3>
      {props.payload ? null : (
        <PayloadEditor text={source.text} onChange={source.setText} problem={source.problem} />
      )}
      <form
        className="actions"
        onSubmit={(event) => {
          event.preventDefault();
          void plot();
        }}
      >
        <label htmlFor={`${ids}-input`}>Vary</label>
        <select id={`${ids}-input`} value={input} onChange={(event) => setInput(event.target.value)}>
          {variable.map((candidate) => (
            <option key={candidate.name} value={candidate.name}>
              {candidate.name}
            </option>
          ))}
        </select>
        {selected?.kind === 'numeric' ? (
          <>
            <label htmlFor={`${ids}-from`}>from</label>
            <input
              id={`${ids}-from`}
              type="number"
              value={from}
              onChange={(event) => setFrom(event.target.value)}
              placeholder="auto"
            />
            <label htmlFor={`${ids}-to`}>to</label>
            <input
              id={`${ids}-to`}
              type="number"
              value={to}
              onChange={(event) => setTo(event.target.value)}
              placeholder="auto"
            />
          </>
        ) : null}
        <button type="submit" className="button primary" disabled={busy || !source.payload || !input}>
          Plot
        </button>
      </form>
      {error ? (
        <p className="card error-card" role="alert">
          {error}
        </p>
      ) : null}
      {curve ? (
        <>
          <p className="hint" data-testid="whatif-caption">
            {curve.input} over {rangeSources[curve.rangeSource]}; the payload has{' '}
            {String(curve.baseValue ?? '—')}. Highest{' '}
            {formatProbability(Math.max(...curve.points.map((point) => point.probability ?? Number.NaN)))},
            lowest{' '}
            {formatProbability(Math.min(...curve.points.map((point) => point.probability ?? Number.NaN)))}.
          </p>
          <div className="chart-box">
            <canvas ref={canvas} role="img" aria-label={`Probability as ${curve.input} varies`} />
          </div>
        </>
      ) : null}
    </section>
  );
}
