import { parseArgs } from 'node:util';
import type { RunRecord } from '../../../shared/contract/index.ts';
import { type CliCommand, type CommandContext, exitCodes, parseOrUsage, UsageError } from '../command.ts';
import { reportError, writeJson } from '../output.ts';

const usage = `Usage: modeldock history [--json]
       modeldock history show <run-id> [--json]

Lists the batch and compare runs ModelDock kept (from the app and the CLI), newest first: models with
their SHA-256, the input file with its SHA-256, every setting, the headline figures and the outputs.
"show" prints one run in full, with its saved result (the report or the comparison).
Exit codes: 0 done; 1 no such run; 2 usage.`;

function modelText(model: RunRecord['models'][number]): string {
  const name = model.name ? `${model.name} ${model.versionLabel ?? ''}`.trim() : model.fileName;
  return `${name} (${model.fileName}, sha256 ${model.sha256.slice(0, 12)}…)`;
}

export function formatRun(run: RunRecord): string {
  const figures = Object.entries(run.metrics)
    .map(
      ([key, value]) =>
        `${key} ${typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(4) : value}`,
    )
    .join(', ');
  return [
    `${run.id}  ${run.finishedAt}  ${run.kind} (${run.via})`,
    `  ${run.models.map(modelText).join(' vs ')}`,
    `  input ${run.input.path} (${run.input.sizeBytes} bytes, sha256 ${run.input.sha256.slice(0, 12)}…)`,
    `  settings ${JSON.stringify(run.settings)}`,
    figures ? `  ${figures}` : '',
    ...Object.entries(run.outputs).map(([name, file]) => `  ${name} ${file}`),
  ]
    .filter(Boolean)
    .join('\n');
}

async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseOrUsage(() =>
    parseArgs({
      args: context.argv,
      options: { json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }),
  );
  const json = values.json === true;
  const { library } = context.services;
  try {
    if (positionals.length === 0) {
      const runs = await library.listRuns();
      if (json) writeJson(context, runs);
      else
        context.stdout.write(
          runs.length === 0 ? 'No runs kept yet.\n' : `${runs.map(formatRun).join('\n\n')}\n`,
        );
      return exitCodes.ok;
    }
    if (positionals[0] !== 'show' || positionals.length !== 2)
      throw new UsageError('use "history" or "history show <run-id>".');
    const kept = await library.getRun(positionals[1] as string);
    if (json) writeJson(context, kept);
    else context.stdout.write(`${formatRun(kept.record)}\n`);
    return exitCodes.ok;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    return reportError(context, error, json);
  }
}

export const historyCommand: CliCommand = { name: 'history', usage, run };
