import type { ModelInput } from '../../shared/contract/index.ts';
import { z } from '../../shared/contract/zod.ts';

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

/** A payload as the Try tab holds it: the JSON object that is shown and that is sent, as it is. */
export type Payload = Record<string, unknown>;

/**
 * Categorical inputs with at most this many known categories are drop-down lists; beyond that a text field
 * with suggestions is quicker to use.
 */
export const maxSelectCategories = 20;

/** True when the field is a drop-down of its known categories. */
export function isSelect(field: PayloadField): boolean {
  return (
    field.kind === 'string' &&
    field.categories !== undefined &&
    field.categories.length > 0 &&
    field.categories.length <= maxSelectCategories
  );
}

/** The payload a fresh form stands for: checkboxes are shown unticked, so they are sent as false. */
export function initialPayload(fields: readonly PayloadField[]): Payload {
  const payload: Payload = {};
  for (const field of fields) {
    if (field.kind !== 'bool') continue;
    if (field.index === null) payload[field.inputName] = false;
    else {
      const list = (payload[field.inputName] as unknown[] | undefined) ?? [];
      list[field.index] = false;
      payload[field.inputName] = list;
    }
  }
  return payload;
}

function rawValue(field: PayloadField, payload: Payload): unknown {
  const value = payload[field.inputName];
  if (field.index === null) return value;
  return Array.isArray(value) ? value[field.index] : undefined;
}

function toFieldText(field: PayloadField, value: unknown): string | boolean | undefined {
  if (field.kind === 'bool') return value === true || value === 1 || value === 'true';
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean')
    return String(value);
  return undefined;
}

/**
 * What each field shows for a payload: its value as text, empty (unticked) when the payload does not have
 * it. A value a field cannot show (an object, an array for a one-value input) leaves it empty, with a problem.
 */
export function valuesFromPayload(
  fields: readonly PayloadField[],
  payload: Payload,
): { values: PayloadFormValues; problems: string[] } {
  const values: PayloadFormValues = {};
  const problems: string[] = [];
  for (const field of fields) {
    const text = toFieldText(field, rawValue(field, payload));
    if (text === undefined) {
      problems.push(`${field.label}: expected a single value.`);
      values[field.key] = '';
    } else {
      values[field.key] = text;
    }
  }
  return { values, problems };
}

function fieldValue(field: PayloadField, value: string | boolean | undefined): unknown {
  if (field.kind === 'bool') return value === true;
  const text = typeof value === 'string' ? value : '';
  if (field.kind === 'string') return text;
  // A number when it reads as one; otherwise the text as typed, so the JSON shows what the field holds.
  return parseNumber(text) ?? text;
}

/** An empty text field: its input is left out of the payload (the field is required or optional alike). */
function isEmpty(field: PayloadField, value: string | boolean | undefined): boolean {
  return field.kind !== 'bool' && (typeof value !== 'string' || value.trim() === '');
}

/**
 * The payload after one field was edited in the form: that input's key is set (or removed when the field is
 * emptied); every other key stays as it was, including keys that are not inputs. Inputs come first, in the
 * model's order, then the other keys in theirs.
 */
export function withFieldValue(
  fields: readonly PayloadField[],
  payload: Payload,
  field: PayloadField,
  value: string | boolean | undefined,
): Payload {
  const next: Payload = { ...payload };
  if (field.index === null) {
    if (isEmpty(field, value)) delete next[field.inputName];
    else next[field.inputName] = fieldValue(field, value);
  } else {
    const width = fields.filter((candidate) => candidate.inputName === field.inputName).length;
    const current = payload[field.inputName];
    const list: unknown[] = Array.isArray(current) ? [...current] : Array.from({ length: width }, () => null);
    list[field.index] = isEmpty(field, value) ? null : fieldValue(field, value);
    if (list.every((item) => item === null || item === undefined)) delete next[field.inputName];
    else next[field.inputName] = list;
  }
  const inputNames = [...new Set(fields.map((candidate) => candidate.inputName))];
  const ordered: Payload = {};
  for (const name of inputNames) if (Object.hasOwn(next, name)) ordered[name] = next[name];
  for (const [key, item] of Object.entries(next)) if (!Object.hasOwn(ordered, key)) ordered[key] = item;
  return ordered;
}

/**
 * The JSON view's text → the payload it shows. The object is taken as it is (keys that are not inputs too:
 * the model service decides what to do with them), except that feature names of an [N,F] input used as keys,
 * as guides write examples, are gathered into the input's array; `rewritten` then says the view should show
 * the gathered form, which is what is sent.
 */
export function readPayloadJson(
  fields: readonly PayloadField[],
  text: string,
): { payload: Payload; rewritten: boolean } | { problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { problem: `The JSON is not valid yet: ${(error as Error).message}` };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { problem: 'The payload must be a JSON object keyed by input name.' };
  }
  const original = parsed as Payload;
  const payload = { ...original };
  let rewritten = false;
  const wide = fields.filter((field) => field.index !== null);
  for (const inputName of new Set(wide.map((field) => field.inputName))) {
    if (Object.hasOwn(original, inputName)) continue; // given as the array: taken as it is
    const features = wide.filter(
      (field) =>
        field.inputName === inputName && field.label !== inputName && Object.hasOwn(original, field.label),
    );
    if (features.length === 0) continue;
    const width = wide.filter((field) => field.inputName === inputName).length;
    const list: unknown[] = Array.from({ length: width }, () => null);
    for (const field of features) {
      list[field.index!] = original[field.label];
      delete payload[field.label];
    }
    payload[inputName] = list;
    rewritten = true;
  }
  return { payload, rewritten };
}

/** The JSON view's text for a payload. */
export function payloadJson(payload: Payload): string {
  return JSON.stringify(payload, null, 2);
}

export function defaultValues(fields: readonly PayloadField[]): PayloadFormValues {
  return valuesFromPayload(fields, initialPayload(fields)).values;
}
