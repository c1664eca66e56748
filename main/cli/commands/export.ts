import { parseArgs } from 'node:util';
import {
  bundleFormatSchema,
  bundleNameSchema,
  expectedChecksumSchema,
  versionLabelSchema,
} from '../../../shared/contract/index.ts';
import { describeEmptyCellsLeftOut } from '../../../shared/export-drift-text.ts';
import { formatBytes } from '../../../shared/format-bytes.ts';
import {
  type CliCommand,
  type CommandContext,
  checkedOption,
  exitCodes,
  parseOrUsage,
  UsageError,
} from '../command.ts';
import { reportError, writeJson } from '../output.ts';

const usage = `Usage: modeldock export <model> --out <dir> [--name <name>] [--model-version <label>]
                        [--format dir|zip|tar.gz] [--expect <sha256|md5>] [--reference <csv> | --no-drift]
                        [--explain [--background <csv>]]
                        [--force] [--json]

Writes a Docker deployment bundle that serves the model exactly as ModelDock scores it.
  --out <dir>              the bundle folder to create (or the archive, with --format zip|tar.gz)
  --name <name>            service and image name (default: from the file name)
  --model-version <label>  version label, such as v1 (default v1)
  --format <format>        dir (default), zip or tar.gz
  --expect <checksum>      the SHA-256 or MD5 the model file must have; a mismatch refuses the export
  --explain                put background rows into the bundle so it answers POST /explain: the model's
                           attached reference CSV, else its golden samples (at most 1,000 rows; they are
                           data, and travel with the bundle)
  --background <csv>       with --explain: take the background rows from this CSV
  --reference <csv>        watch drift against this CSV in production: the bundle carries its profile
                           (decile edges and shares, category shares, the score's distribution), never
                           its rows; the service reports PSI in /metrics and /drift. Without it, the
                           reference attached to the model in the library is used, if any
  --no-drift               leave the attached drift reference out
  --force                  replace an existing target
  --json                   print the result as JSON

Exit codes: 0 written; 2 usage (including a bad --expect, an existing target without --force,
or a target that is the model itself); 3 the model file is unusable or fails --expect.`;

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      out: { type: 'string' },
      name: { type: 'string' },
      'model-version': { type: 'string' },
      format: { type: 'string' },
      expect: { type: 'string' },
      reference: { type: 'string' },
      'no-drift': { type: 'boolean' },
      force: { type: 'boolean' },
      explain: { type: 'boolean' },
      background: { type: 'string' },
      json: { type: 'boolean' },
    },
    allowPositionals: true,
    strict: true,
  });
}

async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseOptions(context.argv));
  if (positionals.length !== 1) throw new UsageError('give exactly one model file.');
  if (!values.out) throw new UsageError('give the target with --out <dir>.');
  const format = checkedOption(bundleFormatSchema, values.format ?? 'dir', '--format');
  const name = values.name === undefined ? undefined : checkedOption(bundleNameSchema, values.name, '--name');
  const version =
    values['model-version'] === undefined
      ? undefined
      : checkedOption(versionLabelSchema, values['model-version'], '--model-version');
  const expectedChecksum =
    values.expect === undefined
      ? undefined
      : checkedOption(expectedChecksumSchema, values.expect, '--expect');
  if (values.reference !== undefined && values['no-drift'] === true) {
    throw new UsageError('give --reference <csv> or --no-drift, not both.');
  }
  if (values.background !== undefined && values.explain !== true)
    throw new UsageError('--background goes with --explain (background rows for POST /explain).');
  const json = values.json === true;
  const showProgress = !json && context.stderr.isTTY === true;
  try {
    const info = await context.services.models.open(positionals[0]!, { expectedChecksum });
    const result = await context.services.exporter.exportBundle(info.modelId, {
      outDir: values.out,
      name,
      version,
      format,
      force: values.force === true,
      ...(values.reference === undefined ? {} : { referenceCsv: values.reference }),
      ...(values['no-drift'] === true ? { drift: false } : {}),
      ...(values.explain === true ? { explain: { backgroundCsv: values.background } } : {}),
      onProgress: showProgress
        ? ({ stage, done, total }) => context.stderr.write(`[${done + 1}/${total}] ${stage}\n`)
        : undefined,
    });
    if (json) {
      writeJson(context, result);
    } else {
      context.stdout.write(
        [
          `Bundle ${result.name} ${result.version} written to ${result.path} (${result.files.length} files, ${formatBytes(result.sizeBytes)}).`,
          `Model SHA-256: ${result.modelSha256}`,
          ...(result.drift
            ? [
                `Drift: watches ${result.drift.features} inputs${result.drift.score ? ' and the score' : ''} against ${result.drift.fileName} (${result.drift.referenceRows} rows; its profile only, no rows).`,
                ...(result.drift.emptyCellsLeftOut
                  ? [`  ${describeEmptyCellsLeftOut(result.drift.emptyCellsLeftOut)}`]
                  : []),
              ]
            : []),
          '',
          'Next:',
          ...result.nextCommands.map((command) => `  ${command}`),
          '',
        ].join('\n'),
      );
    }
    return exitCodes.ok;
  } catch (error) {
    return reportError(context, error, json);
  }
}

export const exportCommand: CliCommand = {
  name: 'export',
  usage,
  run,
};
