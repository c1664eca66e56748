import { parseArgs } from 'node:util';
import type { Prediction, PredictManyResult, PredictResult } from '../../../shared/contract/index.ts';
import { type CliCommand, type CommandContext, exitCodes, parseOrUsage, UsageError } from '../command.ts';
import { reportError, writeJson } from '../output.ts';
import { payloadInput, payloadOptions, readPayload } from '../payload-input.ts';
import { formatTable } from './inspect.ts';

const usage = `Usage: modeldock predict <model> (--input '<json>' | --input-file <file>) [--strict-fields] [--json]

Scores one payload (a JSON object keyed by input name) or several ({"instances": [...]}).
  --input <json>        the payload as JSON text
  --input-file <file>   read the payload from a JSON file ("-" reads standard input)
  --strict-fields       refuse fields that are not inputs of the model (exit 4) instead of
                        ignoring them with a warning
  --json                print the result as JSON

Inputs marked "may be left out" by inspect (scikit-learn conversions) may be omitted or null.
Fields that are not inputs (a whole CRM record, say) are ignored: each is named in a warning.
Warnings go to standard error (and into "warnings" with --json).
Exit codes: 0 predicted; 2 usage; 3 the model file is unusable; 4 the payload is invalid
(including a number too large for the input's type, or an extra field with --strict-fields).`;

function compact(prediction: Prediction) {
  return {
    label: prediction.label,
    probabilities: prediction.probabilities,
    ...(prediction.probability !== undefined ? { probability: prediction.probability } : {}),
    ...(prediction.value !== undefined ? { value: prediction.value } : {}),
  };
}

/** The JSON `modeldock predict --json` prints: one prediction, or {predictions} for instances. */
export function predictJson(result: PredictResult | PredictManyResult) {
  if ('predictions' in result) {
    return {
      predictions: result.predictions.map(compact),
      warnings: result.warnings,
      latencyMs: result.latencyMs,
    };
  }
  return { ...compact(result), warnings: result.warnings, latencyMs: result.latencyMs };
}

const round = (value: number) => Number(value.toFixed(4)).toString();

function describeProbabilities(prediction: Prediction): string {
  return Object.entries(prediction.probabilities)
    .map(([label, p]) => `${label}: ${round(p)}`)
    .join('  ');
}

/** One line per warning, for standard error. */
export function formatWarnings(result: PredictResult | PredictManyResult): string {
  return result.warnings
    .map(
      (warning) =>
        `modeldock: warning: ${warning.row !== undefined ? `instance ${warning.row}: ` : ''}${warning.message}\n`,
    )
    .join('');
}

/** Human output: label and probability first, then the class probabilities and latency (warnings go to stderr). */
export function formatPrediction(result: PredictResult | PredictManyResult): string {
  const lines: string[] = [];
  if ('predictions' in result) {
    lines.push(
      formatTable(
        ['#', 'label', 'probability', 'probabilities / value'],
        result.predictions.map((prediction, index) => [
          String(index),
          String(prediction.label ?? ''),
          prediction.probability !== undefined ? round(prediction.probability) : '',
          prediction.value !== undefined ? String(prediction.value) : describeProbabilities(prediction),
        ]),
      ),
    );
  } else {
    if (result.label !== null) lines.push(`label          ${result.label}`);
    if (result.probability !== undefined) lines.push(`probability    ${round(result.probability)}`);
    if (Object.keys(result.probabilities).length > 0)
      lines.push(`probabilities  ${describeProbabilities(result)}`);
    if (result.value !== undefined) lines.push(`value          ${result.value}`);
  }
  lines.push(`latency        ${result.latencyMs.toFixed(2)} ms`);
  return lines.join('\n');
}

async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseOptions(context.argv));
  if (positionals.length !== 1) throw new UsageError('give exactly one model file.');
  const source = payloadInput(values);
  const json = values.json === true;
  try {
    // Read the payload first: a typo in it should not wait for the model to load.
    const payload = await readPayload(source);
    const info = await context.services.models.open(positionals[0]!);
    const result = await context.services.models.predict(info.modelId, payload, {
      unknownFields: source.unknownFields,
    });
    context.stderr.write(formatWarnings(result));
    if (json) writeJson(context, predictJson(result));
    else context.stdout.write(`${formatPrediction(result)}\n`);
    return exitCodes.ok;
  } catch (error) {
    return reportError(context, error, json);
  }
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      ...payloadOptions,
    },
    allowPositionals: true,
    strict: true,
  });
}

export const predictCommand: CliCommand = {
  name: 'predict',
  usage,
  run,
};
