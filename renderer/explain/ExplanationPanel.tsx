import { useEffect, useId, useMemo, useState } from 'react';
import type { Explanation, ModelInfo } from '../../shared/contract/index.ts';
import { formatContribution } from '../../shared/explain-text.ts';
import { ClientError, client } from '../client/index.ts';
import { axisPercent, waterfallOf } from './waterfall.ts';
import './explain.css';

const sources: Record<Explanation['background']['source'], string> = {
  csv: 'the CSV given',
  reference: 'the reference CSV attached in the library',
  samples: 'the golden samples',
};

function describeTarget(explanation: Explanation): string {
  const { target } = explanation;
  if (target.kind === 'value') return 'the predicted value';
  return `the probability of class ${String(target.classLabel)}`;
}

const number = (value: number) => Number(value.toPrecision(4)).toString();

/**
 * Why the prediction on screen scores what it does: each input's contribution as a bar from the base
 * value (the mean score over the background rows) to the score, largest first, and one sentence. It
 * asks for the explanation of `payload` (the payload the prediction answered) whenever that changes.
 */
export function ExplanationPanel(props: {
  model: ModelInfo;
  payload: Record<string, unknown> | null;
  /** The policy the prediction used for fields that are not inputs. */
  unknownFields?: 'ignore' | 'refuse';
  /** The prediction on screen no longer answers the form: the explanation is dimmed with it. */
  stale?: boolean;
}) {
  const { model, payload, stale } = props;
  const unknownFields = props.unknownFields ?? 'ignore';
  const headingId = useId();
  const payloadKey = useMemo(() => (payload ? JSON.stringify(payload) : null), [payload]);
  const [explanation, setExplanation] = useState<Explanation | null>(null);
  const [error, setError] = useState<ClientError | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (payloadKey === null) return;
    let current = true;
    setBusy(true);
    client
      .call('model.explain', { modelId: model.modelId, payload: JSON.parse(payloadKey), unknownFields })
      .then(
        (answer) => {
          if (!current) return;
          setExplanation(answer);
          setError(null);
        },
        (caught) => {
          if (!current) return;
          setExplanation(null);
          setError(ClientError.from(caught));
        },
      )
      .finally(() => {
        if (current) setBusy(false);
      });
    // A newer payload's answer replaces this one; a late answer for an older payload is dropped.
    return () => {
      current = false;
    };
  }, [model.modelId, payloadKey, unknownFields]);

  if (payloadKey === null) return null;
  const waterfall = explanation ? waterfallOf(explanation) : null;
  return (
    <section
      className={`card explanation${stale ? ' stale' : ''}`}
      aria-labelledby={headingId}
      aria-busy={busy}
      data-testid="explanation"
    >
      <h2 id={headingId}>Why this score</h2>
      {error?.code === 'not-found' ? (
        <p className="hint" data-testid="explanation-unavailable">
          To see what pushed this score up or down, ModelDock explains it against background rows: attach a
          reference CSV to the model in the library, or save a few golden samples.
        </p>
      ) : error ? (
        <p className="bad" role="alert" data-testid="explanation-error">
          {error.message}
        </p>
      ) : null}
      {!explanation && busy ? <p className="hint">Working out each input’s contribution…</p> : null}
      {explanation && waterfall ? (
        <>
          <p className="explanation-summary" data-testid="explanation-summary">
            {explanation.summary}
          </p>
          <ol className="waterfall" aria-label="Contribution of each input, largest first">
            <li className="wf-row wf-total">
              <span className="wf-label">base value</span>
              <span className="wf-track">
                <span
                  className="wf-marker"
                  style={{ left: `${axisPercent(waterfall, waterfall.baseValue)}%` }}
                />
              </span>
              <span className="wf-value" data-testid="explanation-base">
                {number(waterfall.baseValue)}
              </span>
            </li>
            {waterfall.bars.map((bar) => {
              const left = axisPercent(waterfall, Math.min(bar.start, bar.end));
              const width = Math.abs(axisPercent(waterfall, bar.end) - axisPercent(waterfall, bar.start));
              return (
                <li
                  key={bar.input}
                  className={`wf-row wf-${bar.direction}`}
                  data-testid="contribution"
                  data-input={bar.input}
                  data-contribution={bar.contribution}
                >
                  <span className="wf-label">
                    <span className="wf-input">{bar.input}</span>
                    <span className="wf-input-value"> = {bar.valueText}</span>
                  </span>
                  <span
                    className="wf-track"
                    title={`${bar.input} = ${bar.valueText}: ${bar.contributionText}`}
                  >
                    <span className="wf-bar" style={{ left: `${left}%`, width: `max(2px, ${width}%)` }} />
                  </span>
                  <span className="wf-value">{bar.contributionText}</span>
                </li>
              );
            })}
            <li className="wf-row wf-total">
              <span className="wf-label">score</span>
              <span className="wf-track">
                <span className="wf-marker" style={{ left: `${axisPercent(waterfall, waterfall.value)}%` }} />
              </span>
              <span className="wf-value" data-testid="explanation-value">
                {number(waterfall.value)}
              </span>
            </li>
          </ol>
          <p className="hint explanation-method">
            Shapley values of {describeTarget(explanation)}
            {explanation.method === 'exact'
              ? ', exact'
              : `, sampled from ${explanation.permutations} permutations (± standard error shown in the CLI)`}
            , against {explanation.background.rows.toLocaleString('en-US')} rows of{' '}
            {sources[explanation.background.source]} ({explanation.background.name}
            {explanation.background.sampled
              ? `, drawn from ${explanation.background.totalRows.toLocaleString('en-US')} with seed ${explanation.background.seed}`
              : ''}
            ). Base value + contributions = score
            {Math.abs(explanation.residual) > 0
              ? ` (rounding: ${formatContribution(explanation.residual)})`
              : ''}
            .
          </p>
        </>
      ) : null}
    </section>
  );
}
