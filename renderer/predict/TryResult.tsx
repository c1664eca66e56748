import type { ReactNode } from 'react';
import type { ModelInfo, PredictManyResult, PredictResult } from '../../shared/contract/index.ts';
import { PredictionView, type StaleReason } from './PredictionView.tsx';

/**
 * The Try tab's result column: the Predict button and the answer, kept beside the inputs (it stays in view
 * while a long form scrolls). `children` is room for more about the same prediction (an explanation chart).
 */
export function TryResult(props: {
  model: ModelInfo;
  /** The payload form this column's Predict button submits. */
  formId: string;
  busy: boolean;
  result: PredictResult | PredictManyResult | null;
  stale: StaleReason | null;
  error: string | null;
  children?: ReactNode;
}) {
  const { model, formId, busy, result, stale, error, children } = props;
  return (
    <aside className="result-area" aria-label="Prediction" data-testid="try-result">
      <div className="actions">
        <button type="submit" form={formId} className="button primary" disabled={busy}>
          {busy ? 'Predicting…' : 'Predict'}
        </button>
        <span className="hint">or press Enter in any field.</span>
      </div>
      <div aria-live="polite">
        {error ? (
          <p className="card error-card" role="alert" data-testid="predict-error">
            {error}
          </p>
        ) : null}
        {result ? <PredictionView model={model} result={result} stale={stale} /> : null}
        {!result && !error ? <p className="hint result-placeholder">The prediction appears here.</p> : null}
      </div>
      {children}
    </aside>
  );
}
