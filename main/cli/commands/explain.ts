import { parseArgs } from 'node:util';
import type { Explanation } from '../../../shared/contract/index.ts';
import { formatContribution, formatInputValue } from '../../../shared/explain-text.ts';
import { type CliCommand, type CommandContext, exitCodes, parseOrUsage, UsageError } from '../command.ts';
import { reportError, writeJson } from '../output.ts';
import { payloadInput, payloadOptions, readPayload } from '../payload-input.ts';
import { formatTable } from './inspect.ts';

const usage = `Usage: modeldock explain <model> (--input '<json>' | --input-file <file>) [--background <csv>]
                        [--class <label>] [--log-odds] [--permutations <n>] [--strict-fields] [--json]

Why does this payload score what it does? Prints each input's Shapley contribution: how much it moves
the score away from the base value (the mean score over the background rows). The base value plus
every contribution is the score.
  --input <json>        the payload as JSON text (one row keyed by input name)
  --input-file <file>   read the payload from a JSON file ("-" reads standard input)
  --background <csv>    the rows to explain against (at most 1,000 are used; more are drawn with a fixed
                        seed). Without it: the reference CSV attached to the model in the library, else
                        the model's golden samples.
  --class <label>       multiclass: the class whose probability is explained (default: the predicted one)
  --log-odds            explain log(p / (1 − p)) instead of the probability
  --permutations <n>    models with more than 12 inputs: permutations to sample (default 32)
  --strict-fields       refuse fields that are not inputs of the model (exit 4) instead of ignoring them
  --json                print the explanation as JSON

Exact for models with up to 12 inputs (every coalition of inputs is scored); sampled beyond, with a
standard error per input. Exit codes: 0 explained; 2 usage; 3 the model file is unusable; 4 the payload
or the background CSV is invalid.`;

/** Human output: the score, the contributions by size, the sentence, and where the numbers come from. */
export function formatExplanation(explanation: Explanation, fileName: string): string {
  const { target, background } = explanation;
  const what =
    target.kind === 'value'
      ? 'value'
      : `${target.scale === 'log-odds' ? 'log-odds' : 'probability'} of class ${target.classLabel}`;
  const number = (value: number) => Number(value.toPrecision(6)).toString();
  const sampled = explanation.method === 'sampled';
  const rows = [...explanation.contributions]
    .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution))
    .map((c) => [
      c.input,
      formatInputValue(c.value),
      formatContribution(c.contribution),
      ...(sampled ? [`±${(c.standardError ?? 0).toPrecision(2)}`] : []),
    ]);
  const drawn = background.sampled
    ? `${background.rows} of ${background.totalRows} rows drawn with seed ${background.seed}`
    : `${background.rows} rows`;
  const skipped =
    background.skippedRows > 0 ? `, ${background.skippedRows} rows skipped (unusable cells)` : '';
  return [
    `${fileName}: ${what} ${number(explanation.value)}  (base value ${number(explanation.baseValue)})`,
    formatTable(['input', 'value', 'contribution', ...(sampled ? ['std. error'] : [])], rows),
    explanation.summary,
    `method      ${sampled ? `sampled, ${explanation.permutations} permutations (${(explanation.permutations ?? 0) / 2} antithetic pairs), seed ${background.seed}` : 'exact (every coalition of inputs)'}`,
    `background  ${background.name} (${background.source}): ${drawn}${skipped}`,
    `residual    ${explanation.residual} (base value + contributions − ${target.kind === 'value' ? 'value' : 'score'})`,
    ...explanation.warnings.map((warning) => `warning: ${warning.message}`),
  ].join('\n');
}

async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseOptions(context.argv));
  if (positionals.length !== 1) throw new UsageError('give exactly one model file.');
  const source = payloadInput(values);
  let permutations: number | undefined;
  if (values.permutations !== undefined) {
    permutations = Number(values.permutations);
    if (!Number.isInteger(permutations) || permutations < 2 || permutations > 10_000)
      throw new UsageError(`--permutations "${values.permutations}": give a whole number from 2 to 10000.`);
  }
  const json = values.json === true;
  try {
    const payload = await readPayload(source);
    const info = await context.services.models.open(positionals[0]!);
    const explanation = await context.services.explainer.explain(info.modelId, payload, {
      backgroundCsv: values.background,
      classLabel: values.class,
      scale: values['log-odds'] ? 'log-odds' : undefined,
      permutations,
      unknownFields: source.unknownFields,
    });
    if (json) writeJson(context, explanation);
    else context.stdout.write(`${formatExplanation(explanation, info.file.fileName)}\n`);
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
      background: { type: 'string' },
      class: { type: 'string' },
      'log-odds': { type: 'boolean' },
      permutations: { type: 'string' },
    },
    allowPositionals: true,
    strict: true,
  });
}

export const explainCommand: CliCommand = {
  name: 'explain',
  usage,
  run,
};
