import type { MissingPolicy, ModelInput, NumberFormat } from '../../shared/contract/index.ts';
import { coerceValue, numberFits } from '../models/payload.ts';

/** Reading one CSV cell for a model input: a value, or the reason it can't be used. */
export type CellResult<T> = { ok: true; value: T } | { ok: false; reason: string; missing?: boolean };

const plainNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const thousandsComma = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/;
const decimalComma = /^[+-]?\d+,\d+$/;
const wholeNumber = /^[+-]?\d+$/;
const dotThousandsCommaDecimal = /^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$/;

/** Empty (or blank) cells are missing; text such as "NA" is a value, because it can be a real category. */
export function isMissing(cell: string): boolean {
  return cell.length === 0 || cell.trim().length === 0;
}

/**
 * Reads a number as the chosen format says. In `plain` mode 1,234.5 and 12,5 are refused with a
 * message that names the mode that would read them, rather than guessed: 1,234 means one thousand
 * two hundred and thirty-four in one country and one point two three four in another.
 */
export function parseNumberCell(cell: string, format: NumberFormat): CellResult<number> {
  const text = cell.trim();
  let normalized: string | undefined;
  if (plainNumber.test(text)) {
    // In decimal-comma mode a dot is a thousands separator, so 1.234 is 1234, never 1.234.
    if (format === 'decimal-comma' && /^[+-]?\d{1,3}\.\d{3}$/.test(text)) normalized = text.replace('.', '');
    else normalized = text;
  } else if (format === 'thousands-comma' && thousandsComma.test(text)) {
    normalized = text.replaceAll(',', '');
  } else if (format === 'decimal-comma' && (decimalComma.test(text) || dotThousandsCommaDecimal.test(text))) {
    normalized = text.replaceAll('.', '').replace(',', '.');
  }
  if (normalized !== undefined) {
    const value = Number(normalized);
    if (Number.isFinite(value)) return { ok: true, value };
    return { ok: false, reason: 'the number is too large' };
  }
  if (format === 'plain' && thousandsComma.test(text)) {
    return { ok: false, reason: 'has a thousands separator; choose the "1,234.5" number format to read it' };
  }
  if (format === 'plain' && (decimalComma.test(text) || dotThousandsCommaDecimal.test(text))) {
    return { ok: false, reason: 'has a decimal comma; choose the "1.234,5" number format to read it' };
  }
  return { ok: false, reason: 'is not a number' };
}

const trueWords = new Set(['true', '1', 'yes', 'y', 't']);
const falseWords = new Set(['false', '0', 'no', 'n', 'f']);

export function parseBoolCell(cell: string): CellResult<boolean> {
  const word = cell.trim().toLowerCase();
  if (trueWords.has(word)) return { ok: true, value: true };
  if (falseWords.has(word)) return { ok: true, value: false };
  return { ok: false, reason: 'is not true/false, yes/no or 1/0' };
}

export type InputValue = number | string | boolean;

/**
 * Reads a cell for an input of the given kind, applying the missing-value policy. String cells are
 * passed as they are (no trimming), exactly like a JSON payload for a single prediction would be.
 */
export function readCell(
  cell: string,
  input: Pick<ModelInput, 'kind' | 'type'>,
  policy: MissingPolicy,
  format: NumberFormat,
): CellResult<InputValue> {
  if (isMissing(cell)) {
    if (policy.mode === 'omit') {
      // What a payload without the field feeds (main/models/payload.ts): the converted pipeline reads
      // NaN / "" exactly as scikit-learn reads a missing key or value. A true/false input has no such value.
      if (input.kind === 'numeric') return { ok: true, value: Number.NaN };
      if (input.kind === 'string') return { ok: true, value: '' };
    }
    if (policy.mode !== 'fill') return { ok: false, reason: 'is empty', missing: true };
    return readPresentCell(policy.value, input, format, true);
  }
  return readPresentCell(cell, input, format, false);
}

function readPresentCell(
  cell: string,
  input: Pick<ModelInput, 'kind' | 'type'>,
  format: NumberFormat,
  isFill: boolean,
): CellResult<InputValue> {
  if (input.kind === 'string') return { ok: true, value: cell };
  let result: CellResult<InputValue> =
    input.kind === 'numeric' ? parseNumberCell(cell, format) : parseBoolCell(cell);
  if (result.ok) {
    // The core's coercion adds the checks a single prediction makes (whole numbers for int inputs, ranges).
    const coerced = coerceValue(input, result.value);
    result = 'error' in coerced ? { ok: false, reason: coerced.error } : { ok: true, value: coerced.value };
  }
  if (!result.ok && isFill)
    return { ok: false, reason: `is empty and the fill value ${JSON.stringify(cell)} ${result.reason}` };
  return result;
}

/**
 * readCell for one input, specialised once per run for the cells most files are made of: a value
 * present in plain form. It returns the value, or undefined for every other cell (missing, refused,
 * another number format), which the caller then passes to readCell for its value or its reason.
 * Building no result object per cell is about a tenth of a batch run (bench/batch.ts); a property
 * test holds the two equal on random cells.
 */
export function createCellReader(
  input: Pick<ModelInput, 'kind' | 'type'>,
  format: NumberFormat,
): (cell: string) => InputValue | undefined {
  if (input.kind === 'string') return (cell) => (isMissing(cell) ? undefined : cell);
  if (input.kind !== 'numeric') return () => undefined;
  const type = input.type;
  const accept = (value: number) => (Number.isFinite(value) && numberFits(type, value) ? value : undefined);
  if (format === 'decimal-comma') {
    // Whole numbers and a decimal comma (12,5) read the same under readCell's rules; anything with a
    // dot (1.234 is 1234 in this mode, 1.5 is 1.5) or an exponent is left to readCell.
    return (cell) => {
      if (wholeNumber.test(cell)) return accept(Number(cell));
      if (decimalComma.test(cell)) return accept(Number(cell.replace(',', '.')));
      return undefined;
    };
  }
  return (cell) => (plainNumber.test(cell) ? accept(Number(cell)) : undefined);
}
