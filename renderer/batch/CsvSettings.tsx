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
const encodings: CsvEncoding[] = ['utf-8', 'utf-8-bom', 'utf-16le', 'utf-16be', 'windows-1252'];
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
        <label>
          Encoding{' '}
          <select
            value={used.encoding}
            onChange={(event) => set({ encoding: event.target.value as CsvEncoding })}
          >
            {encodings.map((encoding) => (
              <option key={encoding} value={encoding}>
                {encoding}
              </option>
            ))}
          </select>
        </label>
        <label>
          Delimiter{' '}
          <select
            value={used.delimiter}
            onChange={(event) => set({ delimiter: event.target.value as CsvDelimiter })}
          >
            {Object.entries(delimiterNames).map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Quote{' '}
          <select value={used.quote} onChange={(event) => set({ quote: event.target.value as CsvQuote })}>
            {Object.entries(quotes).map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={used.hasHeader}
            onChange={(event) => set({ hasHeader: event.target.checked })}
          />{' '}
          First row is a header
        </label>
        <label>
          Numbers{' '}
          <select
            value={props.numberFormat}
            data-testid="batch-number-format"
            onChange={(event) => props.onNumberFormatChange(event.target.value as NumberFormat)}
          >
            {Object.entries(numberFormats).map(([value, name]) => (
              <option key={value} value={value}>
                {name}
              </option>
            ))}
          </select>
        </label>
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
