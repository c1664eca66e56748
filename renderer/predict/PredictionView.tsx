import type { ModelInfo, PredictManyResult, PredictResult } from '../../shared/contract/index.ts';
import { formatMs } from '../model/format.ts';

/**
 * Why the result on screen no longer answers the form: the payload was edited since Predict (`changed`),
 * or a field is now invalid (`invalid`). The result stays visible, dimmed, so the analyst can still compare.
 */
export type StaleReason = 'changed' | 'invalid';

const staleText: Record<StaleReason, string> = {
  changed: 'This result is for the previous payload — press Predict.',
  invalid:
    'This result is for the previous payload — fix the marked fields (or the JSON), then press Predict.',
};

/** The answer: label, the positive-class probability large, every class as a bar, warnings, latency. */
export function PredictionView(props: {
  model: ModelInfo;
  result: PredictResult | PredictManyResult;
  stale?: StaleReason | null;
}) {
  const { model, result, stale } = props;
  const staleClass = stale ? ' stale' : '';
  const staleNote = stale ? (
    <p className="stale-note" data-testid="prediction-stale" role="status">
      {staleText[stale]}
    </p>
  ) : null;
  if (!('label' in result)) {
    return (
      <section
        className={`card result${staleClass}`}
        data-testid="prediction"
        data-stale={stale ?? undefined}
      >
        {staleNote}
        <p>{result.predictions.length} predictions.</p>
      </section>
    );
  }
  const classes = Object.entries(result.probabilities);
  // Binary models report the positive class; multiclass models get the predicted class's probability.
  const headline =
    result.probability !== undefined
      ? {
          value: result.probability,
          caption: `probability of ${model.positiveClass !== undefined ? `class ${String(model.positiveClass)}` : 'the positive class'}`,
        }
      : result.label !== null && result.probabilities[String(result.label)] !== undefined
        ? {
            value: result.probabilities[String(result.label)]!,
            caption: `probability of class ${String(result.label)}, the most likely`,
          }
        : null;
  return (
    <section
      className={`card result${staleClass}`}
      aria-labelledby="result-heading"
      data-testid="prediction"
      data-stale={stale ?? undefined}
    >
      <h2 id="result-heading">Prediction</h2>
      {staleNote}
      <div className="result-headline">
        {headline ? (
          <div className="big-probability">
            <span className="big" data-testid="probability-percent">
              {(headline.value * 100).toFixed(1)}%
            </span>
            <span className="caption">
              {headline.caption} (<span data-testid="probability">{headline.value.toFixed(6)}</span>)
            </span>
          </div>
        ) : null}
        {result.value !== undefined ? (
          <div className="big-probability">
            <span className="big" data-testid="value">
              {result.value.toPrecision(6)}
            </span>
            <span className="caption">predicted value</span>
          </div>
        ) : null}
        {result.label !== null ? (
          <p className="label">
            Label: <strong data-testid="label">{String(result.label)}</strong>
          </p>
        ) : null}
      </div>
      {classes.length > 0 ? (
        <ul className="bars" aria-label="Class probabilities" data-testid="class-probabilities">
          {classes.map(([label, probability]) => (
            <li key={label}>
              <span className="bar-label">{label}</span>
              <span className="bar-track">
                <span
                  className="bar-fill"
                  style={{ width: `${Math.max(0, Math.min(1, probability)) * 100}%` }}
                />
              </span>
              <span className="bar-value" data-class={label}>
                {probability.toFixed(4)}
              </span>
            </li>
          ))}
        </ul>
      ) : null}
      {result.warnings.length > 0 ? (
        <ul className="warnings" data-testid="warnings">
          {result.warnings.map((warning) => (
            <li key={`${warning.code}-${warning.field}-${warning.row ?? ''}`} className="warning">
              ⚠ {warning.message}
            </li>
          ))}
        </ul>
      ) : null}
      <p className="latency">Answered in {formatMs(result.latencyMs)} (in the engine).</p>
    </section>
  );
}
