import './batch.css';
import type { JSX } from 'react';
import type {
  CsvDelimiter,
  CsvDialect,
  CsvEncoding,
  CsvInspection,
  CsvQuote,
  NumberFormat,
} from '../../shared/contract/index.ts';
import { formatBytes } from '../../shared/format-bytes.ts';

const delimiterNames: Record<CsvDelimiter, string> = {
  ',': 'comma',
  ';': 'semicolon',
  '\t': 'tab',
  '|': 'pipe',
};
const encodingNames: Record<CsvEncoding, string> = {
  'utf-8': 'utf-8',
  'utf-8-bom': 'utf-8-bom',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
  'windows-1252': 'windows-1252',
};
const quotes: Record<CsvQuote, string> = { '"': 'double quote "', "'": "single quote '", none: 'none' };
const numberFormats: Record<NumberFormat, string> = {
  plain: '1234.5 (refuse 1,234.5 and 12,5)',
  'thousands-comma': '1,234.5',
  'decimal-comma': '1.234,5 and 12,5',
};

const numberFormatExamples: Record<NumberFormat, string> = {
  plain: '1234.5',
  'thousands-comma': '1,234.5',
  'decimal-comma': '1.234,5',
};

/** A labelled choice among a setting's values, each shown by its name. */
function NamedChoice<T extends string>(props: {
  label: string;
  value: T;
  names: Record<T, string>;
  onChange: (value: T) => void;
  testId?: string;
}): JSX.Element {
  return (
    <label>
      {props.label}{' '}
      <select
        value={props.value}
        data-testid={props.testId}
        onChange={(event) => props.onChange(event.target.value as T)}
      >
        {Object.entries<string>(props.names).map(([value, name]) => (
          <option key={value} value={value}>
            {name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** What was detected, with an override for each setting, and the first rows as read with them. */
export function CsvSettings(props: {
  inspection: CsvInspection;
  dialect: Partial<CsvDialect>;
  numberFormat: NumberFormat;
  onDialectChange: (dialect: Partial<CsvDialect>) => void;
  onNumberFormatChange: (format: NumberFormat) => void;
}): JSX.Element {
  const { inspection, dialect } = props;
  const used = inspection.dialect;
  const detected = inspection.detected;
  const set = (patch: Partial<CsvDialect>) => props.onDialectChange({ ...dialect, ...patch });
  return (
    <div className="batch-settings" data-testid="batch-settings">
      <p data-testid="batch-detected">
        Detected: {detected.encoding}, {delimiterNames[detected.delimiter]}-separated,{' '}
        {detected.hasHeader ? 'with a header row' : 'no header row'}, numbers like{' '}
        {numberFormatExamples[inspection.detectedNumberFormat]} ·{' '}
        <span title={`${inspection.sizeBytes} bytes`}>{formatBytes(inspection.sizeBytes)}</span>
      </p>
      <div className="batch-settings-row">
        <NamedChoice
          label="Encoding"
          value={used.encoding}
          names={encodingNames}
          onChange={(encoding) => set({ encoding })}
        />
        <NamedChoice
          label="Delimiter"
          value={used.delimiter}
          names={delimiterNames}
          onChange={(delimiter) => set({ delimiter })}
        />
        <NamedChoice label="Quote" value={used.quote} names={quotes} onChange={(quote) => set({ quote })} />
        <label>
          <input
            type="checkbox"
            checked={used.hasHeader}
            onChange={(event) => set({ hasHeader: event.target.checked })}
          />{' '}
          First row is a header
        </label>
        <NamedChoice
          label="Numbers"
          value={props.numberFormat}
          names={numberFormats}
          onChange={props.onNumberFormatChange}
          testId="batch-number-format"
        />
      </div>
      <div className="batch-preview-wrap">
        <table className="io-table batch-preview" data-testid="batch-preview">
          <caption>First {inspection.preview.length} rows</caption>
          <thead>
            <tr>
              {inspection.columns.map((column) => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {inspection.preview.map((row, r) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: preview rows are positional
              <tr key={r}>
                {row.map((cell, c) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                  <td key={c}>{cell === '' ? <span className="batch-empty">empty</span> : cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}
