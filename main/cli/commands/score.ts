import { parseArgs } from 'node:util';
import {
  type ColumnMapping,
  type CsvDialect,
  csvDelimiterSchema,
  csvEncodingSchema,
  type MissingPolicy,
  type ModelInfo,
  numberFormatSchema,
  type ScoringSummary,
} from '../../../shared/contract/index.ts';
import { formatContribution } from '../../../shared/explain-text.ts';
import { type CapacityRequest, parseCapacity } from '../../analysis/capacity.ts';
import { formatDrift } from '../../analysis/drift-text.ts';
import { explainCost } from '../../analysis/explain-batch.ts';
import { batchRunRecord, describeInputFileEarly } from '../../library/run-history.ts';
import type { EngineProgress } from '../../scoring/types.ts';
import { type CliCommand, type CommandContext, exitCodes, UsageError } from '../command.ts';
import { formatCapacity, formatGains } from '../decision-text.ts';
import { cancelOnInterrupt } from '../interrupt.ts';
import { reportError, writeJson } from '../output.ts';

const usage = `Usage: modeldock score <model> <in.csv> --out <out.csv> [options]

Scores every row of a CSV file and writes the original columns plus the predictions.
  --out <file>              the output CSV (required); rows that fail go to <out>.errors.csv
  --label-column <column>   compare predictions with this column (e.g. converted): AUC, log loss, …
  --threshold <p>           threshold for accuracy, precision, recall and F1 (default 0.5)
  --fill <input>=<value>    fill empty cells of an input (e.g. lead_source=NA); default: the row fails
  --map <input>=<column>    read an input from this column (repeat for each value of an [N,F] input)
  --number-format <f>       plain, thousands-comma (1,234.5) or decimal-comma (1.234,5); default: detected
                            from the file's numbers (a ; file with 0,5 gets decimal-comma, and its output
                            numbers are written the same way: 0,5336)
  --strict-categories       a category the model was not trained on makes the row fail (default: the row
                            is scored as the model scores unseen values, and the values are reported)
  --delimiter <d>           , ; tab or | (default: detected)
  --encoding <e>            utf-8, utf-8-bom, utf-16le, utf-16be or windows-1252 (default: detected)
  --no-header               the first row is data
  --force                   replace the output file if it exists
  --reference <ref.csv>     drift (PSI) of the inputs and scores against a reference CSV, e.g. the training data
  --capacity <N|X%>         the team can call N leads (or X % of them): adds a "selected" column (1 for the
                            rows whose score is ≥ the threshold that selects them, ties at the cut included)
                            and the selection to the summary; the file is scored twice
  --explain                 explain every scored row: its top 3 drivers as added columns (driver_1,
                            driver_1_contribution, …) and the inputs' global importance in the summary. Costly:
                            the cost per row is printed before the run (see modeldock explain for the method)
  --background <csv>        with --explain: the background rows (default: the model's attached reference CSV,
                            else its golden samples; at most 1,000 rows)
  --json                    print the summary as JSON

Exit codes: 0 scored (some rows may have failed; see <out>.errors.csv); 2 usage (including an
unknown input in --fill/--map, an unknown column in --map, or an existing --out without --force);
3 the model file is unusable; 4 the CSV cannot be read, or rows were read but none could be scored;
130 interrupted (Ctrl-C, SIGTERM or SIGHUP): the partial output is removed.`;

function splitAssignment(option: string, text: string): [string, string] {
  const at = text.indexOf('=');
  if (at <= 0) throw new UsageError(`${option} takes <input>=<value>, got "${text}".`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function parseOptions(argv: string[]) {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        'label-column': { type: 'string' },
        threshold: { type: 'string' },
        fill: { type: 'string', multiple: true },
        map: { type: 'string', multiple: true },
        'number-format': { type: 'string' },
        delimiter: { type: 'string' },
        encoding: { type: 'string' },
        'no-header': { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        reference: { type: 'string' },
        explain: { type: 'boolean' },
        background: { type: 'string' },
        'strict-categories': { type: 'boolean' },
        capacity: { type: 'string' },
      },
    });
  }
  try {
    parsed = parse();
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 2) throw new UsageError('give a model file and a CSV file.');
  if (!values.out) throw new UsageError('give the output file with --out.');
  const threshold = values.threshold === undefined ? 0.5 : Number(values.threshold);
  if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
    throw new UsageError('--threshold takes a number between 0 and 1.');
  }
  const missing: Record<string, MissingPolicy> = {};
  for (const fill of values.fill ?? []) {
    const [input, value] = splitAssignment('--fill', fill);
    missing[input] = { mode: 'fill', value };
  }
  const mapping: ColumnMapping = {};
  for (const map of values.map ?? []) {
    const [input, column] = splitAssignment('--map', map);
    mapping[input] = [...(mapping[input] ?? []), column];
  }
  const numberFormat =
    values['number-format'] === undefined ? undefined : numberFormatSchema.safeParse(values['number-format']);
  if (numberFormat && !numberFormat.success)
    throw new UsageError('--number-format is plain, thousands-comma or decimal-comma.');
  const dialect: Partial<CsvDialect> = {};
  if (values.delimiter !== undefined) {
    const delimiter = csvDelimiterSchema.safeParse(values.delimiter === 'tab' ? '\t' : values.delimiter);
    if (!delimiter.success) throw new UsageError('--delimiter is one of , ; tab |');
    dialect.delimiter = delimiter.data;
  }
  if (values.encoding !== undefined) {
    const encoding = csvEncodingSchema.safeParse(values.encoding.toLowerCase());
    if (!encoding.success)
      throw new UsageError(`--encoding is one of ${csvEncodingSchema.options.join(', ')}.`);
    dialect.encoding = encoding.data;
  }
  if (values['no-header']) dialect.hasHeader = false;
  let capacity: CapacityRequest | undefined;
  if (values.capacity !== undefined) {
    try {
      capacity = parseCapacity(values.capacity);
    } catch (error) {
      throw new UsageError(`--capacity: ${(error as Error).message}`);
    }
  }
  if (values.background !== undefined && values.explain !== true)
    throw new UsageError('--background goes with --explain.');
  return {
    modelPath: positionals[0] ?? '',
    csvPath: positionals[1] ?? '',
    outputPath: values.out,
    labelColumn: values['label-column'],
    threshold,
    missing,
    mapping,
    numberFormat: numberFormat?.data,
    unseenCategories: values['strict-categories'] ? ('fail' as const) : ('count' as const),
    dialect,
    force: values.force === true,
    json: values.json === true,
    reference: values.reference,
    capacity,
    explain: values.explain === true,
    background: values.background,
  };
}

/**
 * `{rows, scored, failed, seconds, rowsPerSecond, outputPath, errorsPath?, numberFormat,
 * unseenCategories, metrics?, drift?}`.
 */
export function summaryJson(summary: ScoringSummary) {
  const metrics = summary.report.metrics;
  return {
    rows: summary.rows,
    scored: summary.scored,
    failed: summary.failed,
    seconds: summary.seconds,
    rowsPerSecond: summary.rowsPerSecond,
    outputPath: summary.outputPath,
    ...(summary.errorsPath ? { errorsPath: summary.errorsPath } : {}),
    numberFormat: summary.numberFormat,
    unseenCategories: summary.unseenCategories,
    ...(summary.drift ? { drift: summary.drift } : {}),
    // Gains and lift by decile (with a label column) and the capacity table at 5, 10, 20, 30 and 50 %.
    ...(metrics?.decisions
      ? {
          gains: metrics.decisions.gains,
          lift: metrics.decisions.gains.map((row) => ({
            decile: row.group,
            lift: row.lift,
            cumulativeLift: row.cumulativeLift,
          })),
        }
      : {}),
    ...(summary.report.capacity ? { capacity: summary.report.capacity } : {}),
    ...(summary.report.selection ? { selection: summary.report.selection } : {}),
    ...(summary.explanations ? { explanations: summary.explanations } : {}),
    ...(metrics
      ? {
          metrics: {
            labelColumn: metrics.labelColumn,
            positiveClass: metrics.positiveClass,
            rows: metrics.rows,
            rocAuc: metrics.rocAuc,
            logLoss: metrics.logLoss,
            ...(metrics.decisions
              ? { brier: metrics.decisions.brier, averagePrecision: metrics.decisions.averagePrecision }
              : {}),
            threshold: metrics.atThreshold.threshold,
            accuracy: metrics.atThreshold.accuracy,
            precision: metrics.atThreshold.precision,
            recall: metrics.atThreshold.recall,
            f1: metrics.atThreshold.f1,
            confusion: metrics.atThreshold.confusion,
          },
        }
      : {}),
  };
}

function progressBar(progress: EngineProgress): string {
  const fraction = progress.bytesTotal > 0 ? progress.bytesDone / progress.bytesTotal : 0;
  const filled = Math.round(fraction * 30);
  return `\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${progress.rows.toLocaleString('en-US')} rows  ${Math.round(progress.rowsPerSecond).toLocaleString('en-US')} rows/s  ETA ${Math.ceil(progress.etaSeconds)} s `;
}

/** The batch engine's reasons name the app's number-format choices; the CLI adds the flag that picks them. */
const numberFormatFlags: [string, string][] = [
  ['choose the "1.234,5" number format', '--number-format decimal-comma'],
  ['choose the "1,234.5" number format', '--number-format thousands-comma'],
];

function withFlagHint(reason: string): string {
  const flag = numberFormatFlags.find(([wording]) => reason.includes(wording))?.[1];
  return flag ? `${reason} (use ${flag})` : reason;
}

/** Every --fill and --map names an input of the model; a typo would otherwise be ignored silently. */
function checkInputNames(
  options: ReturnType<typeof parseOptions>,
  inputs: readonly { name: string }[],
): void {
  const names = inputs.map((input) => input.name);
  for (const [flag, given] of [
    ['--fill', Object.keys(options.missing)],
    ['--map', Object.keys(options.mapping)],
  ] as const) {
    const unknown = given.find((name) => !names.includes(name));
    if (unknown !== undefined)
      throw new UsageError(
        `${flag}: ${unknown} is not an input of this model (inputs: ${names.join(', ')}).`,
      );
  }
}

/** Every --map column exists in the CSV (as read with the same dialect the run will use). */
function checkMappedColumns(mapping: ColumnMapping, columns: readonly string[]): void {
  for (const column of Object.values(mapping).flat()) {
    if (!columns.includes(column))
      throw new UsageError(`--map: ${column} is not a column of the CSV (columns: ${columns.join(', ')}).`);
  }
}

function formatSummary(summary: ScoringSummary): string {
  const lines = [
    `Scored ${summary.scored.toLocaleString('en-US')} of ${summary.rows.toLocaleString('en-US')} rows in ${summary.seconds.toFixed(2)} s (${Math.round(summary.rowsPerSecond).toLocaleString('en-US')} rows/s).`,
    `Output: ${summary.outputPath} (added ${summary.addedColumns.join(', ')})`,
  ];
  if (summary.failed > 0) {
    lines.push(
      `${summary.failed.toLocaleString('en-US')} rows could not be scored; see ${summary.errorsPath}:`,
    );
    for (const [reason, count] of Object.entries(summary.failuresByReason))
      lines.push(`  ${count}  ${withFlagHint(reason)}`);
  }
  for (const [input, values] of Object.entries(summary.unseenCategories)) {
    const total = summary.unseenRows[input] ?? 0;
    const list = Object.entries(values).map(([value, count]) => `${JSON.stringify(value)} ${count}`);
    lines.push(
      `${total.toLocaleString('en-US')} rows have a ${input} the model was not trained on (scored as unseen; --strict-categories fails them): ${list.join(', ')}`,
    );
  }
  if (summary.rows > 0 && summary.scored === 0)
    lines.push('No row could be scored, so the run failed (exit 4).');
  const metrics = summary.report.metrics;
  if (metrics) {
    const at = metrics.atThreshold;
    const f = (value: number | null) => (value === null ? 'n/a' : value.toFixed(4));
    lines.push(
      `Against ${metrics.labelColumn} (${metrics.rows.toLocaleString('en-US')} rows): ROC AUC ${f(metrics.rocAuc)}, log loss ${f(metrics.logLoss)}`,
      `  at threshold ${at.threshold}: accuracy ${f(at.accuracy)}, precision ${f(at.precision)}, recall ${f(at.recall)}, F1 ${f(at.f1)}`,
      `  confusion: TP ${at.confusion.tp}  FP ${at.confusion.fp}  TN ${at.confusion.tn}  FN ${at.confusion.fn}`,
    );
    if (metrics.decisions) lines.push(formatGains([{ name: 'model', gains: metrics.decisions.gains }]));
  }
  if (summary.report.capacity) lines.push(formatCapacity(summary.report.capacity));
  const selection = summary.report.selection;
  if (selection) {
    lines.push(
      `selected: ${selection.selected} rows (score ≥ ${selection.threshold ?? '—'}${selection.tiedBeyondCapacity ? `; ${selection.tiedBeyondCapacity} beyond the capacity of ${selection.capacity} tie at the cut` : ''}), expected conversions ${selection.expectedConversions.toFixed(1)}${selection.conversions !== undefined ? `, label 1 in ${selection.conversions}` : ''}; the "selected" column marks them`,
    );
  }
  const explained = summary.explanations;
  if (explained && explained.rows > 0) {
    lines.push(
      `Global importance over ${explained.rows.toLocaleString('en-US')} explained rows (${explained.method} Shapley values, background ${explained.background.name}, ${explained.background.rows} rows):`,
    );
    const order = explained.inputs
      .map((_, i) => i)
      .sort((a, b) => explained.meanAbsolute[b]! - explained.meanAbsolute[a]!);
    for (const i of order) {
      const byDecile = explained.byDecile
        .map((decile) => formatContribution(decile.meanContribution[i]!))
        .join(' ');
      lines.push(
        `  ${explained.inputs[i]!.padEnd(28)} mean |φ| ${explained.meanAbsolute[i]!.toPrecision(3).padEnd(10)} by decile: ${byDecile}`,
      );
    }
  }
  return lines.join('\n');
}

async function run(context: CommandContext): Promise<number> {
  const options = parseOptions(context.argv);
  const showProgress = context.stderr.isTTY === true;
  let info: Awaited<ReturnType<typeof context.services.models.open>>;
  try {
    info = await context.services.models.open(options.modelPath);
  } catch (error) {
    return reportError(context, error, options.json);
  }
  checkInputNames(options, info.inputs);
  const hashing = new AbortController();
  try {
    if (Object.keys(options.mapping).length > 0) {
      const csv = await context.services.scoring.inspect({
        modelId: info.modelId,
        path: options.csvPath,
        dialect: options.dialect,
        numberFormat: options.numberFormat,
      });
      checkMappedColumns(options.mapping, csv.columns);
    }
    // Drift against --reference is an output of the same pass: the reference is profiled first, then
    // the run counts the scored file into its bins (no second read of the output).
    const reference = options.reference
      ? await cancelOnInterrupt((signal) =>
          context.services.scoring.profile(
            { modelId: info.modelId, path: options.reference ?? '' },
            { signal },
          ),
        )
      : undefined;
    // Explanations cost 2^n × background rows per scored row (exact): said before the run starts.
    const explainBackground = options.explain
      ? await context.services.explainer.background(info.modelId, { backgroundCsv: options.background })
      : undefined;
    if (explainBackground) {
      const cost = explainCost(info.inputs.length, explainBackground.rows.length, 1);
      context.stderr.write(
        `Explaining every row: ${cost.modelRowsPerRow.toLocaleString('en-US')} model rows per scored row (${cost.method}, ${info.inputs.length} inputs × ${explainBackground.rows.length} background rows from ${explainBackground.summary.name}).\n`,
      );
    }
    const request = {
      modelId: info.modelId,
      path: options.csvPath,
      outputPath: options.outputPath,
      overwrite: options.force,
      labelColumn: options.labelColumn,
      threshold: options.threshold,
      missing: options.missing,
      mapping: options.mapping,
      numberFormat: options.numberFormat,
      unseenCategories: options.unseenCategories,
      dialect: options.dialect,
      reference,
      capacity: options.capacity,
      ...(explainBackground ? { explain: { background: explainBackground } } : {}),
    };
    const scoreOnce = (extra: { selectThreshold?: number; overwrite?: boolean }) =>
      cancelOnInterrupt((signal) =>
        context.services.scoring.score(
          { ...request, ...extra },
          {
            signal,
            onProgress: showProgress ? (progress) => context.stderr.write(progressBar(progress)) : undefined,
          },
        ),
      );
    // The history's checksum of the input is taken while the workers score it (this thread is idle);
    // a run that fails stops it (below).
    const input = describeInputFileEarly(options.csvPath, hashing.signal);
    let summary = await scoreOnce({});
    if (options.capacity) {
      // The threshold that selects the capacity needs every score: known after the first pass; the
      // second writes the `selected` column with it (no rows selected: a threshold nothing reaches).
      if (showProgress) context.stderr.write('\n');
      const threshold = summary.report.selection?.threshold ?? Number.POSITIVE_INFINITY;
      summary = await scoreOnce({ selectThreshold: threshold, overwrite: true });
    }
    // The history keeps which background explained the rows, not its rows.
    const { explain, ...kept } = request as typeof request & {
      explain?: { background: { summary?: { name?: string } } };
    };
    await keepRun(
      context,
      info,
      explain ? { ...kept, explain: { background: explain.background.summary?.name ?? 'given' } } : kept,
      summary,
      input,
    );
    if (showProgress) context.stderr.write('\n');
    const drift = summary.drift;
    if (options.json) writeJson(context, summaryJson(summary));
    else context.stdout.write(`${formatSummary(summary)}${drift ? `\n${formatDrift(drift)}` : ''}\n`);
    // Every row failing is almost always a wrong option (format, mapping), not data to ship.
    return summary.rows > 0 && summary.scored === 0 ? exitCodes.invalidInput : exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if (showProgress) context.stderr.write('\n');
    const code = reportError(context, error, options.json);
    // A missing or empty CSV is bad input data (4), not an unusable model file (3).
    return code === exitCodes.modelUnusable ? exitCodes.invalidInput : code;
  } finally {
    hashing.abort();
  }
}

/** The run goes into the history (the library's catalog); keeping it never fails the command. */
async function keepRun(
  context: CommandContext,
  info: ModelInfo,
  request: Parameters<typeof batchRunRecord>[1],
  summary: ScoringSummary,
  input: Parameters<typeof batchRunRecord>[4],
): Promise<void> {
  try {
    const record = await batchRunRecord(info, request, summary, 'cli', input);
    await context.services.library.recordRun(record, summary);
  } catch (error) {
    context.stderr.write(`modeldock: the run was not kept in the history: ${(error as Error).message}\n`);
  }
}

export const scoreCommand: CliCommand = {
  name: 'score',
  usage,
  run,
};
