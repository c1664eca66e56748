import type { ModelInfo } from '../../shared/contract/index.ts';
import type { BundleSample } from './samples.ts';

/** Replaces every `{{KEY}}` in a template; an unknown key is a bug in ModelDock, so it throws. */
export function renderTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined)
      throw new Error(`The bundle template uses {{${key}}}, which the exporter does not fill.`);
    return value;
  });
}

/** A name Kubernetes, compose and image tags accept: lower-case letters, digits and dashes. */
export function slugify(text: string, fallback = 'model'): string {
  const slug = text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/g, '');
  return slug || fallback;
}

/** An image tag: letters, digits, '.', '_' and '-', not starting with '.' or '-'. */
export function imageTag(version: string): string {
  const tag = version.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^[.-]+/, '');
  return tag.slice(0, 128) || 'latest';
}

/** Text inside single quotes in a POSIX shell. */
export function shellSingleQuoted(text: string): string {
  return text.replace(/'/g, `'\\''`);
}

/** A JSON value written as a Python literal (the guide's `payload = {...}` style). */
export function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number' || typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(pythonLiteral).join(', ')}]`;
  const entries = Object.entries(value as Record<string, unknown>).map(
    ([key, item]) => `    ${JSON.stringify(key)}: ${pythonLiteral(item)},`,
  );
  return `{\n${entries.join('\n')}\n}`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function inputsTable(info: ModelInfo): string {
  const rows = info.inputs.map((input) => {
    const type = input.width === 1 ? input.type : `${input.width} × ${input.type}`;
    const notes = [
      input.featureNames ? `features: ${input.featureNames.join(', ')}` : '',
      input.categories?.length ? `known categories: ${input.categories.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    return `| \`${cell(input.name)}\` | ${cell(input.kind)} | ${cell(type)} | ${cell(notes)} |`;
  });
  return ['| Field | Kind | ONNX type | Notes |', '|---|---|---|---|', ...rows].join('\n');
}

export function outputsTable(meaning: Readonly<Record<string, string>>): string {
  const rows = Object.entries(meaning).map(([key, text]) => `| \`${key}\` | ${cell(text)} |`);
  rows.push('| `model` | `{name, version, sha256}` of the model that answered |');
  return ['| Field | Meaning |', '|---|---|', ...rows].join('\n');
}

/** The OIP v2 request for the first sample row. */
export function oipExample(info: ModelInfo, payload: Record<string, unknown>) {
  const datatypes: Record<string, string> = {
    float: 'FP32',
    double: 'FP64',
    int64: 'INT64',
    int32: 'INT32',
    string: 'BYTES',
    bool: 'BOOL',
  };
  return {
    // An input the sample leaves out (one the model may go without) is left out here too.
    inputs: info.inputs
      .filter((input) => payload[input.name] !== undefined)
      .map((input) => {
        const raw = payload[input.name];
        const data = Array.isArray(raw) ? raw : [raw];
        return {
          name: input.name,
          shape: input.shape.length === 1 ? [1] : [1, input.width],
          datatype: datatypes[input.type] ?? input.type.toUpperCase(),
          data,
        };
      }),
  };
}

/** The README's response example: the sample's expected output plus the model reference. */
export function exampleResponse(
  sample: BundleSample,
  model: { name: string; version: string; sha256: string },
) {
  const { probability, ...rest } = sample.expected;
  const warnings = sample.warnings.length > 0 ? { warnings: sample.warnings } : {};
  return { ...(probability === undefined ? {} : { probability }), ...rest, ...warnings, model };
}
