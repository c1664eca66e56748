import { parseArgs } from 'node:util';
import {
  type CompareCsvResult,
  type MissingPolicy,
  type ModelDecisions,
  type ModelInfo,
  numberFormatSchema,
} from '../../../shared/contract/index.ts';
import { formatAgainstThreshold } from '../../../shared/format/decision.ts';
import { checkCompatibility } from '../../analysis/compare.ts';
import { AppError } from '../../errors.ts';
import { compareRunRecord } from '../../library/run-history.ts';
import { type CliCommand, type CommandContext, exitCodes, parseOrUsage, UsageError } from '../command.ts';
import { formatLabelledComparison } from '../decision-text.ts';
import { reportError, writeJson } from '../output.ts';

const usage = `Usage: modeldock compare <model-a> <model-b> <in.csv> [--label-column c] [--threshold t] [--fill input=value]… [--json]

Scores the same CSV with two models that read the same inputs (two versions of one model) and reports
label agreement, mean and max |Δp|, and the rows whose decision flips at the threshold. The CSV is read
exactly as \`modeldock score\` reads it (same cells, same failed rows, same row numbers: file lines).
  --label-column <c>       judge both against this column (e.g. converted): each model's ROC AUC, log loss,
                           Brier, accuracy/precision/recall/F1 at the threshold side by side, gains by
                           decile, and DeLong's test of the AUC difference (is it real?)
  --threshold <t>          decision threshold on the positive-class probability (default 0.5)
  --fill <input=value>     value for empty cells of an input (repeatable); other rows with empty cells
                           fail, except for inputs the model itself treats as optional
  --number-format <f>      plain, thousands-comma (1,234.5) or decimal-comma (1.234,5) (default: detected)
  --strict-categories      a category the model was not trained on makes the row fail
  --json                   print the result as JSON (without the scatter sample the app plots)
Exit codes: 0 compared; 2 usage; 3 a model file can't be used; 4 the models read different inputs or the CSV is unusable.`;

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      json: { type: 'boolean' },
      threshold: { type: 'string' },
      'label-column': { type: 'string' },
      fill: { type: 'string', multiple: true },
      'number-format': { type: 'string' },
      'strict-categories': { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
}

/** --fill input=value, as the missing-value policy Batch uses. */
export function parseFill(entries: readonly string[]): Record<string, MissingPolicy> {
  const fill: Record<string, MissingPolicy> = {};
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals <= 0) throw new UsageError(`--fill takes input=value, not "${entry}".`);
    fill[entry.slice(0, equals)] = { mode: 'fill', value: entry.slice(equals + 1) };
  }
  return fill;
}

function parseThreshold(text: string | undefined): number {
  if (text === undefined) return 0.5;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new UsageError(`--threshold must be a number from 0 to 1, not "${text}".`);
  }
  return value;
}

const fixed = (value: number, digits = 4) => value.toFixed(digits);

function headline(figures: ModelDecisions) {
  return {
    rocAuc: figures.rocAuc,
    logLoss: figures.logLoss,
    brier: figures.brier,
    averagePrecision: figures.averagePrecision,
    ...figures.atThreshold,
  };
}

/** Human summary: agreement and |Δp| first, then the flips and the first rows that flip. */
export function formatComparison(a: ModelInfo, b: ModelInfo, result: CompareCsvResult): string {
  const lines = [
    `A  ${a.file.fileName}  sha256 ${a.file.sha256.slice(0, 16)}…`,
    `B  ${b.file.fileName}  sha256 ${b.file.sha256.slice(0, 16)}…`,
    `rows            ${result.rows} (${result.compared} compared, ${result.failed} skipped)`,
    `label agreement ${fixed(result.labelAgreement * 100, 2)} %`,
    `mean |Δp|       ${fixed(result.meanAbsDelta, 6)}`,
    `max |Δp|        ${fixed(result.maxAbsDelta, 6)}`,
    `flips at ${result.threshold}    ${result.flips.count} (${result.flips.aToB} A yes → B no, ${result.flips.bToA} A no → B yes)`,
  ];
  if (result.flippedRows.length > 0) {
    lines.push('first flipped rows (line: p(A) → p(B)):');
    for (const flip of result.flippedRows.slice(0, 10)) {
      const a = formatAgainstThreshold(flip.a, result.threshold);
      const b = formatAgainstThreshold(flip.b, result.threshold);
      lines.push(`  ${flip.row}: ${a} → ${b}`);
    }
  }
  for (const [input, values] of Object.entries(result.unseenCategories)) {
    const list = Object.entries(values).map(([value, count]) => `${JSON.stringify(value)} ${count}`);
    lines.push(`unseen categories of ${input}: ${list.join(', ')}`);
  }
  for (const error of result.errors.slice(0, 5)) lines.push(`skipped line ${error.row}: ${error.message}`);
  if (result.failed > 5) lines.push(`… ${result.failed - 5} more rows skipped (use --fill for empty cells).`);
  lines.push(`time            ${fixed(result.seconds, 2)} s`);
  return lines.join('\n');
}

async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseOptions(context.argv));
  if (positionals.length !== 3) throw new UsageError('give two model files and one CSV file.');
  const threshold = parseThreshold(values.threshold);
  const missing = parseFill(values.fill ?? []);
  const numberFormat =
    values['number-format'] === undefined ? undefined : numberFormatSchema.safeParse(values['number-format']);
  if (numberFormat && !numberFormat.success)
    throw new UsageError('--number-format is plain, thousands-comma or decimal-comma.');
  const json = values.json === true;
  const [pathA, pathB, csvPath] = positionals as [string, string, string];
  try {
    const { models, analysis } = context.services;
    const a = await models.open(pathA);
    const b = await models.open(pathB);
    const compatibility = checkCompatibility(a, b);
    if (!compatibility.compatible) {
      const error = new AppError(
        'invalid-payload',
        `${a.file.fileName} and ${b.file.fileName} read different inputs: ${compatibility.differences.join(' ')}`,
        compatibility,
      );
      reportError(context, error, json);
      return exitCodes.invalidInput;
    }
    const labelColumn = values['label-column'];
    const request = {
      modelId: a.modelId,
      modelIdB: b.modelId,
      path: csvPath,
      threshold,
      missing,
      numberFormat: numberFormat?.data,
      unseenCategories: values['strict-categories'] ? ('fail' as const) : ('count' as const),
      ...(labelColumn ? { labelColumn } : {}),
    };
    const result = await analysis.compareCsv(request);
    const decisions = result.decisions;
    if (json) {
      const { scatter: _scatter, ...rest } = result;
      writeJson(context, {
        a: { file: a.file.fileName, sha256: a.file.sha256 },
        b: { file: b.file.fileName, sha256: b.file.sha256 },
        ...rest,
        ...(decisions
          ? {
              // The headline figures side by side, and DeLong's test as the issue words it.
              metrics: { a: headline(decisions.a), b: headline(decisions.b) },
              delong: decisions.delong
                ? {
                    aucDifference: decisions.delong.aucDifference,
                    ci95: decisions.delong.ci95,
                    z: decisions.delong.z,
                    pValue: decisions.delong.pValue,
                  }
                : null,
              verdict: decisions.verdict,
            }
          : {}),
      });
    } else {
      context.stdout.write(`${formatComparison(a, b, result)}\n`);
      if (decisions)
        context.stdout.write(`\n${formatLabelledComparison(decisions, a.file.fileName, b.file.fileName)}\n`);
    }
    try {
      const { modelId: _a, modelIdB: _b, ...settings } = request;
      await context.services.library.recordRun(
        await compareRunRecord(a, b, { ...settings, path: csvPath }, result, 'cli'),
        result,
      );
    } catch (error) {
      context.stderr.write(`modeldock: the run was not kept in the history: ${(error as Error).message}\n`);
    }
    return exitCodes.ok;
  } catch (error) {
    return reportError(context, error, json);
  }
}

export const compareCommand: CliCommand = {
  name: 'compare',
  usage,
  run,
};
