import './batch.css';
import type { JSX } from 'react';
import type { CsvInspection, MissingPolicy, ModelInfo, ScoringCheck } from '../../shared/contract/index.ts';

/** Suggested fill for an input: "NA" when the model knows that category (as the guide's training used), else 0. */
function suggestedFill(input: ModelInfo['inputs'][number]): string {
  if (input.kind === 'string')
    return input.categories?.includes('NA') ? 'NA' : (input.categories?.[0] ?? 'NA');
  return '0';
}

/**
 * The policy the run applies when the user chose none (as main/scoring/column-mapping.ts decides):
 * leave the value out for an input the converted scikit-learn pipeline handles itself, else fail the row.
 */
function defaultPolicy(input: ModelInfo['inputs'][number] | undefined): MissingPolicy {
  return input?.optional ? { mode: 'omit' } : { mode: 'fail' };
}

function policyFor(mode: string, input: ModelInfo['inputs'][number] | undefined): MissingPolicy {
  if (mode === 'omit') return { mode: 'omit' };
  if (mode === 'fill') return { mode: 'fill', value: input ? suggestedFill(input) : '' };
  return { mode: 'fail' };
}

/** One row per model input: its column(s), the missing-value policy, and what the full-file check counted. */
export function MappingTable(props: {
  model: ModelInfo;
  inspection: CsvInspection;
  check: ScoringCheck | null;
  checking: boolean;
  missing: Record<string, MissingPolicy>;
  onMappingChange: (input: string, columns: string[]) => void;
  onMissingChange: (input: string, policy: MissingPolicy) => void;
}): JSX.Element {
  const { inspection, check } = props;
  // The column appears when the check found a category the model was not trained on.
  const showUnseen = Object.keys(check?.unseenCategories ?? {}).length > 0;
  return (
    <table className="io-table batch-mapping" data-testid="batch-mapping">
      <caption>
        Model inputs and their columns{' '}
        {props.checking ? <span className="hint">(counting empty cells…)</span> : null}
        {check ? (
          <span className="hint" data-testid="batch-check-summary">
            {' '}
            {check.rows.toLocaleString('en-US')} rows; {check.failingRows.toLocaleString('en-US')} would fail
            with these settings
            {Object.keys(check.unseenRows).length > 0
              ? `; ${Object.entries(check.unseenRows)
                  .map(([input, rows]) => `${rows.toLocaleString('en-US')} with an unseen ${input}`)
                  .join(', ')}`
              : ''}
          </span>
        ) : null}
      </caption>
      <thead>
        <tr>
          <th>Input</th>
          <th>Column</th>
          <th>Empty cells</th>
          <th>When empty</th>
          {showUnseen ? <th>Unseen categories</th> : null}
        </tr>
      </thead>
      <tbody>
        {inspection.mapping.map((entry) => {
          const input = props.model.inputs.find((candidate) => candidate.name === entry.input);
          const policy = props.missing[entry.input] ?? defaultPolicy(input);
          const counted = check?.inputs.find((candidate) => candidate.input === entry.input);
          return (
            <tr key={entry.input} data-testid={`mapping-${entry.input}`}>
              <th scope="row">
                {entry.input} <span className="hint">({entry.kind})</span>
              </th>
              <td>
                {entry.columns.map((column, slot) => (
                  <select
                    // biome-ignore lint/suspicious/noArrayIndexKey: slots are positional
                    key={slot}
                    aria-label={`Column for ${entry.expectedNames[slot] ?? entry.input}`}
                    aria-invalid={column === null}
                    value={column ?? ''}
                    onChange={(event) => {
                      const next = entry.columns.map((current) => current ?? '');
                      next[slot] = event.target.value;
                      props.onMappingChange(entry.input, next);
                    }}
                  >
                    <option value="">— choose a column —</option>
                    {inspection.columns.map((name) => (
                      <option key={name} value={name}>
                        {name}
                      </option>
                    ))}
                  </select>
                ))}
              </td>
              <td data-testid={`missing-count-${entry.input}`}>
                {counted ? (
                  <>
                    {counted.missingRows.toLocaleString('en-US')}
                    {counted.missingRows > 0 && counted.policy?.mode === 'omit' ? (
                      <span className="hint"> left out</span>
                    ) : null}
                    {counted.invalidRows > 0 ? (
                      <span
                        className="bad"
                        title={counted.examples
                          .map((e) => `line ${e.line}: "${e.value}" ${e.reason}`)
                          .join('\n')}
                      >
                        {' '}
                        + {counted.invalidRows.toLocaleString('en-US')} unreadable (e.g. line{' '}
                        {counted.examples[0]?.line}: “{counted.examples[0]?.value}”{' '}
                        {counted.examples[0]?.reason})
                      </span>
                    ) : null}
                  </>
                ) : (
                  '…'
                )}
              </td>
              <td>
                <select
                  aria-label={`When ${entry.input} is empty`}
                  data-testid={`missing-policy-${entry.input}`}
                  value={policy.mode}
                  onChange={(event) =>
                    props.onMissingChange(entry.input, policyFor(event.target.value, input))
                  }
                >
                  {input?.optional ? <option value="omit">leave it out (as scikit-learn does)</option> : null}
                  <option value="fail">fail the row</option>
                  <option value="fill">
                    {entry.kind === 'string' ? 'use the category' : 'use the value'}
                  </option>
                </select>
                {policy.mode === 'fill' ? (
                  <input
                    type="text"
                    className="batch-fill"
                    aria-label={`Fill value for ${entry.input}`}
                    data-testid={`missing-fill-${entry.input}`}
                    value={policy.value}
                    onChange={(event) =>
                      props.onMissingChange(entry.input, { mode: 'fill', value: event.target.value })
                    }
                  />
                ) : null}
              </td>
              {showUnseen ? (
                <td data-testid={`unseen-${entry.input}`}>
                  {Object.entries(check?.unseenCategories[entry.input] ?? {})
                    .slice(0, 5)
                    .map(([value, count]) => `“${value}” ${count.toLocaleString('en-US')}`)
                    .join(', ')}
                </td>
              ) : null}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
