import type { JSX } from 'react';
import type {
  ColumnMapping,
  CsvDialect,
  CsvInspection,
  MissingPolicy,
  ModelInfo,
  NumberFormat,
  ScoringCheck,
  UnseenCategoriesPolicy,
} from '../../shared/contract/index.ts';
import { CsvSettings } from './CsvSettings.tsx';
import { MappingTable } from './MappingTable.tsx';

/** How a CSV is read, as Batch and Compare both send it (one reader in main: the same rows, the same errors). */
export interface CsvReadChoices {
  dialect: Partial<CsvDialect>;
  /** Unset: the format detected from the file. */
  numberFormat?: NumberFormat;
  mappingEdits: ColumnMapping;
  missing: Record<string, MissingPolicy>;
  unseenCategories: UnseenCategoriesPolicy;
}

export const defaultCsvReadChoices: CsvReadChoices = {
  dialect: {},
  mappingEdits: {},
  missing: {},
  unseenCategories: 'count',
};

/** The request fields for batch.inspect, batch.check, batch.score, compare.csv and library.drift. */
export function csvSetup(modelId: string, path: string, choices: CsvReadChoices) {
  return {
    modelId,
    path,
    dialect: choices.dialect,
    mapping: choices.mappingEdits,
    missing: choices.missing,
    numberFormat: choices.numberFormat,
    unseenCategories: choices.unseenCategories,
  };
}

/**
 * Why a run should not start, or null: an input without a column, or a file of which most rows would
 * fail (almost always a wrong setting — number format, delimiter — not data to ship).
 */
export function blockedReason(inspection: CsvInspection, check: ScoringCheck | null): string | null {
  if (inspection.unmappedInputs.length > 0)
    return `Choose a column for ${inspection.unmappedInputs.join(', ')} before scoring.`;
  if (check && check.rows > 0 && check.failingRows * 2 > check.rows) {
    const worst = [...check.inputs].sort(
      (a, b) => b.invalidRows + b.missingRows - (a.invalidRows + a.missingRows),
    )[0];
    const example = worst?.examples[0];
    const why = example
      ? ` (e.g. ${worst?.input} on line ${example.line}: “${example.value}” ${example.reason})`
      : check.raggedRows * 2 > check.rows
        ? ' (their number of fields differs from the header: check the delimiter)'
        : '';
    return `${check.failingRows.toLocaleString('en-US')} of ${check.rows.toLocaleString('en-US')} rows would fail with these settings${why}; check the number format, delimiter and mapping.`;
  }
  return null;
}

/** The one settings panel for reading a CSV: dialect, number format, mapping, missing values, categories. */
export function CsvReadSettings(props: {
  model: ModelInfo;
  inspection: CsvInspection;
  check: ScoringCheck | null;
  checking: boolean;
  choices: CsvReadChoices;
  onChange: (patch: Partial<CsvReadChoices>) => void;
}): JSX.Element {
  const { model, inspection, check, checking, choices, onChange } = props;
  return (
    <>
      <CsvSettings
        inspection={inspection}
        dialect={choices.dialect}
        numberFormat={inspection.numberFormat}
        onDialectChange={(value) => onChange({ dialect: value })}
        onNumberFormatChange={(value) => onChange({ numberFormat: value })}
      />
      <MappingTable
        model={model}
        inspection={inspection}
        check={check}
        checking={checking}
        missing={choices.missing}
        onMappingChange={(input, columns) =>
          onChange({ mappingEdits: { ...choices.mappingEdits, [input]: columns } })
        }
        onMissingChange={(input, policy) => onChange({ missing: { ...choices.missing, [input]: policy } })}
      />
      <label className="batch-strict" data-testid="csv-strict-categories">
        <input
          type="checkbox"
          checked={choices.unseenCategories === 'fail'}
          onChange={(event) => onChange({ unseenCategories: event.target.checked ? 'fail' : 'count' })}
        />{' '}
        Fail rows with a category the model was not trained on (otherwise they are scored as unseen and
        counted)
      </label>
    </>
  );
}

/** Unseen categories, for people: `lead_source: "webinar" 282, "Paid Ads" 3`. */
export function UnseenCategoriesList(props: {
  unseen: Record<string, Record<string, number>>;
  testId: string;
}): JSX.Element | null {
  const entries = Object.entries(props.unseen);
  if (entries.length === 0) return null;
  return (
    <ul className="unseen-categories" data-testid={props.testId}>
      {entries.map(([input, values]) => (
        <li key={input}>
          <strong>{input}</strong> has values the model was not trained on:{' '}
          {Object.entries(values)
            .map(([value, count]) => `“${value}” ${count.toLocaleString('en-US')}`)
            .join(', ')}
        </li>
      ))}
    </ul>
  );
}
