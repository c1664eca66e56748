import { z } from 'zod';
import type { ModelInput } from '../../shared/contract/index.ts';

/** One form field: a [N,1] input, or one feature of an [N,F] input. */
export interface PayloadField {
  /** Form key (f0, f1, …): input names may contain dots or brackets, which react-hook-form reads as paths. */
  key: string;
  inputName: string;
  /** Position inside an [N,F] input; null for one-value inputs. */
  index: number | null;
  label: string;
  kind: ModelInput['kind'];
  integer: boolean;
  categories?: string[];
  /**
   * The model takes a payload without this input (ModelInfo's `optional`: a converted scikit-learn
   * pipeline handles the missing value itself), so an empty field is left out rather than refused.
   * Only one-value inputs: an [N,F] input is sent whole or not at all.
   */
  optional: boolean;
}

export type PayloadFormValues = Record<string, string | boolean>;

const integerTypes = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);

export function fieldsForInputs(inputs: readonly ModelInput[]): PayloadField[] {
  const fields: PayloadField[] = [];
  for (const input of inputs) {
    const base = { inputName: input.name, kind: input.kind, integer: integerTypes.has(input.type) };
    if (input.width === 1) {
      fields.push({
        ...base,
        key: `f${fields.length}`,
        index: null,
        label: input.name,
        categories: input.categories,
        optional: input.optional === true,
      });
      continue;
    }
    for (let index = 0; index < input.width; index++) {
      const label = input.featureNames?.[index] ?? `${input.name}[${index}]`;
      fields.push({
        ...base,
        key: `f${fields.length}`,
        index,
        label,
        categories: input.categories,
        optional: false,
      });
    }
  }
  return fields;
}

export function parseNumber(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : null;
}

/** An empty field of an optional input: left out of the payload. */
function isLeftOut(field: PayloadField, value: string | boolean | undefined): boolean {
  return field.optional && field.kind !== 'bool' && (typeof value !== 'string' || value.trim() === '');
}

function numberFieldProblem(field: PayloadField, text: string): string | null {
  if (text.trim() === '') return field.optional ? null : `Enter a number for ${field.label}.`;
  const value = parseNumber(text);
  if (value === null) return `${field.label} must be a number, such as 42 or 3.5.`;
  if (field.integer && !Number.isInteger(value)) return `${field.label} must be a whole number.`;
  return null;
}

/** The zod schema react-hook-form validates with: one rule per field, one message naming the field. */
export function payloadSchema(fields: readonly PayloadField[]) {
  const shape: Record<string, z.ZodType<string | boolean, string | boolean>> = {};
  for (const field of fields) {
    if (field.kind === 'bool') {
      shape[field.key] = z.boolean();
    } else if (field.kind === 'string') {
      shape[field.key] = field.optional
        ? z.string().trim()
        : z.string().trim().min(1, `Enter a value for ${field.label}.`);
    } else {
      // One message per field: the first problem is the one worth reading.
      shape[field.key] = z.string().superRefine((text, context) => {
        const message = numberFieldProblem(field, text);
        if (message) context.addIssue({ code: 'custom', message });
      });
    }
  }
  return z.object(shape);
}

export function defaultValues(fields: readonly PayloadField[]): PayloadFormValues {
  return Object.fromEntries(fields.map((field) => [field.key, field.kind === 'bool' ? false : '']));
}

function fieldValue(field: PayloadField, value: string | boolean | undefined): unknown {
  if (field.kind === 'bool') return value === true;
  const text = typeof value === 'string' ? value : '';
  if (field.kind === 'string') return text;
  return parseNumber(text) ?? text;
}

/** Form values → the payload model.predict takes: scalars for [N,1] inputs, arrays for [N,F] inputs. */
export function valuesToPayload(
  fields: readonly PayloadField[],
  values: PayloadFormValues,
): Record<string, unknown> {
  const payload: Record<string, unknown> = {};
  for (const field of fields) {
    if (isLeftOut(field, values[field.key])) continue;
    const value = fieldValue(field, values[field.key]);
    if (field.index === null) {
      payload[field.inputName] = value;
    } else {
      const list = (payload[field.inputName] as unknown[] | undefined) ?? [];
      list[field.index] = value;
      payload[field.inputName] = list;
    }
  }
  return payload;
}

function toFieldText(field: PayloadField, value: unknown): string | boolean | undefined {
  if (field.kind === 'bool') return typeof value === 'boolean' ? value : value === 1 || value === 'true';
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/**
 * A pasted JSON payload → form values. Accepts the predict payload shape ({input: value} or
 * {input: [values]}) and also feature names of [N,F] inputs as keys, which is how guides write examples.
 */
export function payloadToValues(
  fields: readonly PayloadField[],
  payload: unknown,
): { values: Partial<PayloadFormValues>; problems: string[] } {
  const problems: string[] = [];
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) {
    return { values: {}, problems: ['The payload must be a JSON object keyed by input name.'] };
  }
  const record = payload as Record<string, unknown>;
  const values: Partial<PayloadFormValues> = {};
  const used = new Set<string>();
  for (const field of fields) {
    let raw: unknown;
    if (field.index === null) {
      if (!(field.inputName in record)) {
        // A key taken out of the JSON view empties an optional field (it is left out either way).
        if (field.optional) values[field.key] = '';
        continue;
      }
      raw = record[field.inputName];
      used.add(field.inputName);
    } else if (Array.isArray(record[field.inputName])) {
      raw = (record[field.inputName] as unknown[])[field.index];
      used.add(field.inputName);
    } else if (field.label in record) {
      raw = record[field.label];
      used.add(field.label);
    } else {
      continue;
    }
    const text = toFieldText(field, raw);
    if (text === undefined) problems.push(`${field.label}: expected a single value.`);
    else values[field.key] = text;
  }
  const unknown = Object.keys(record).filter((key) => !used.has(key));
  if (unknown.length > 0) problems.push(`Not inputs of this model, ignored: ${unknown.join(', ')}.`);
  return { values, problems };
}
