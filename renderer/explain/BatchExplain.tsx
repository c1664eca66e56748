import { useEffect, useId, useState } from 'react';
import type { ScoringSummary } from '../../shared/contract/index.ts';
import { formatContribution } from '../../shared/explain-text.ts';
import { ClientError, client } from '../client/index.ts';
import './explain.css';

/**
 * Batch's "Explain each row" option: off by default, and when on, what it costs (model rows per
 * scored row, and for this file) before the run starts.
 */
export function BatchExplainOption(props: {
  modelId: string;
  rows: number | null;
  checked: boolean;
  disabled: boolean;
  onChange: (checked: boolean) => void;
}) {
  const { modelId, rows, checked, disabled, onChange } = props;
  const id = useId();
  const [cost, setCost] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => {
    if (!checked) return;
    let current = true;
    client.call('model.explainBackground', { modelId }).then(
      (answer) => {
        if (!current) return;
        setProblem(null);
        const total =
          rows === null
            ? ''
            : `, about ${(answer.modelRowsPerRow * rows).toLocaleString('en-US')} for this file`;
        setCost(
          `${answer.modelRowsPerRow.toLocaleString('en-US')} model rows per scored row (${answer.method}, against ${answer.background.rows.toLocaleString('en-US')} rows of ${answer.background.name})${total}.`,
        );
      },
      (caught) => {
        if (!current) return;
        setCost(null);
        setProblem(ClientError.from(caught).message);
      },
    );
    return () => {
      current = false;
    };
  }, [checked, modelId, rows]);
  return (
    <div className="batch-explain" data-testid="batch-explain">
      <label htmlFor={id}>
        <input
          id={id}
          type="checkbox"
          checked={checked}
          disabled={disabled}
          data-testid="batch-explain-option"
          onChange={(event) => onChange(event.target.checked)}
        />{' '}
        Explain each row (top 3 drivers as columns, and each input’s importance)
      </label>
      {checked && cost ? (
        <p className="hint" data-testid="batch-explain-cost">
          Costs {cost}
        </p>
      ) : null}
      {checked && problem ? (
        <p className="bad" role="alert" data-testid="batch-explain-problem">
          {problem}
        </p>
      ) : null}
    </div>
  );
}

/** Global importance of an explained run: mean |contribution| per input, and mean contribution by score decile. */
export function BatchImportance(props: { explanations: NonNullable<ScoringSummary['explanations']> }) {
  const { explanations } = props;
  const order = explanations.inputs
    .map((_, i) => i)
    .sort((a, b) => explanations.meanAbsolute[b]! - explanations.meanAbsolute[a]!);
  return (
    <section className="card" aria-labelledby="batch-importance-heading" data-testid="batch-importance">
      <h3 id="batch-importance-heading">What drives the scores</h3>
      <p className="hint">
        Mean contribution of each input over {explanations.rows.toLocaleString('en-US')} rows (
        {explanations.method} Shapley values against {explanations.background.rows.toLocaleString('en-US')}{' '}
        rows of {explanations.background.name}); by decile of the score, 1 = lowest.
      </p>
      <div className="importance-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">input</th>
              <th scope="col">mean |contribution|</th>
              {explanations.byDecile.map((decile) => (
                <th scope="col" key={decile.decile}>
                  {decile.decile}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {order.map((i) => (
              <tr key={explanations.inputs[i]}>
                <th scope="row">{explanations.inputs[i]}</th>
                <td>{explanations.meanAbsolute[i]!.toPrecision(3)}</td>
                {explanations.byDecile.map((decile) => (
                  <td key={decile.decile}>{formatContribution(decile.meanContribution[i]!)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
