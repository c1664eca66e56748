import { parseArgs } from 'node:util';
import { expectedChecksumSchema, type ModelInfo } from '../../../shared/contract/index.ts';
import { formatBytes } from '../../../shared/format-bytes.ts';
import { AppError } from '../../errors.ts';
import {
  type CliCommand,
  type CommandContext,
  checkedOption,
  exitCodes,
  parseOrUsage,
  UsageError,
} from '../command.ts';
import { reportError, writeJson } from '../output.ts';

const usage = `Usage: modeldock inspect <model> [<file saved beside it>…] [--json] [--expect <md5-or-sha256>]

Shows a model file's checksums, inputs, outputs and task. Several files saved side by side
(the course's dv.bin and model.bin) are combined into one pipeline: the files holding only
transformers come first, then the one holding the model (--expect checks that one).
  --json            print the result as JSON
  --expect <hex>    fail (exit 3) unless the file has this MD5 (32 hex digits) or SHA-256 (64)

Exit codes: 0 shown; 2 usage (including --expect that is not 32 or 64 hex digits);
3 the model file is unusable or does not match --expect.`;

/** The JSON `modeldock inspect --json` prints (a stable subset of ModelInfo, plus extras). */
export function inspectJson(info: ModelInfo) {
  return {
    format: info.format,
    fileName: info.file.fileName,
    sha256: info.file.sha256,
    md5: info.file.md5,
    sizeBytes: info.file.sizeBytes,
    inputs: info.inputs.map(({ name, type, shape, kind, width, categories, featureNames, optional }) => ({
      name,
      type,
      shape,
      kind,
      width,
      ...(categories ? { categories } : {}),
      ...(featureNames ? { featureNames } : {}),
      ...(optional ? { optional } : {}),
    })),
    outputs: info.outputs.map(({ name, type, shape, role }) => ({ name, type, shape, role })),
    task: info.task,
    ...(info.classLabels ? { classLabels: info.classLabels } : {}),
    ...(info.positiveClass !== undefined ? { positiveClass: info.positiveClass } : {}),
    zipMapRemoved: info.zipMapRemoved,
    ...(info.checksumCheck ? { checksumCheck: info.checksumCheck } : {}),
    ...(info.conversion ? { conversion: info.conversion } : {}),
    metadata: info.metadata,
  };
}

/** A plain-text table with padded columns, for terminal output (predict uses it too). */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const shapeText = (shape: ModelInfo['inputs'][number]['shape']) =>
  `[${shape.map((dim) => dim ?? '?').join(', ')}]`;

function formatSize(bytes: number): string {
  return bytes < 1024 ? formatBytes(bytes) : `${formatBytes(bytes)} (${bytes} bytes)`;
}

function describeTask(info: ModelInfo): string {
  const task = info.task.replace('-', ' ');
  if (!info.classLabels) return task;
  const positive = info.positiveClass !== undefined ? `; positive class ${info.positiveClass}` : '';
  return `${task} (classes ${info.classLabels.join(', ')}${positive})`;
}

const formatNames: Record<ModelInfo['format'], string> = {
  onnx: 'ONNX model',
  'sklearn-pickle': 'scikit-learn model (sklearn-pickle)',
  'sklearn-joblib': 'scikit-learn model (sklearn-joblib)',
  xgboost: 'XGBoost model file',
};

/** The human-readable report: checksums, task, metadata, then tables of inputs and outputs. */
export function formatInspection(info: ModelInfo): string {
  const meta = info.metadata;
  const opsets = meta.opsetImports.map((opset) => `${opset.domain || 'ai.onnx'} ${opset.version}`).join(', ');
  const lines = [
    `${info.file.fileName}: ${formatNames[info.format]}, ${formatSize(info.file.sizeBytes)}`,
    `  SHA-256   ${info.file.sha256}`,
    `  MD5       ${info.file.md5}`,
  ];
  if (info.checksumCheck) {
    const { algorithm, matches } = info.checksumCheck;
    lines.push(`  Expected  ${algorithm.toUpperCase()} ${matches ? 'matches' : 'DOES NOT MATCH'}`);
  }
  lines.push(`  Task      ${describeTask(info)}`);
  lines.push(
    `  Producer  ${[meta.producerName, meta.producerVersion].filter(Boolean).join(' ') || 'unknown'}; IR version ${meta.irVersion}; opsets ${opsets || 'none'}`,
  );
  if (meta.docString) lines.push(`  About     ${meta.docString.split('\n')[0]}`);
  if (info.zipMapRemoved) {
    lines.push(
      '  ZipMap    bypassed in memory: probabilities are served as a float tensor (the file is unchanged)',
    );
  }
  if (info.conversion) {
    const version = info.conversion.sklearnVersion ? ` ${info.conversion.sklearnVersion}` : '';
    lines.push(
      `  Source    converted from ${info.conversion.from}${version}: ${info.conversion.steps.join(' → ')}`,
    );
    for (const file of info.conversion.combinedWith ?? []) {
      lines.push(`  With      ${file.fileName} (SHA-256 ${file.sha256}), placed before the model`);
    }
    lines.push(`  Served    ${info.conversion.convertedPath} (SHA-256 ${info.conversion.convertedSha256})`);
  }
  lines.push('', 'Inputs');
  lines.push(
    formatTable(
      ['name', 'type', 'shape', 'categories / features'],
      info.inputs.map((input) => [
        input.name,
        input.optional ? `${input.type} (may be left out)` : input.type,
        shapeText(input.shape),
        (input.categories ?? input.featureNames ?? []).join(', '),
      ]),
    ),
  );
  lines.push('', 'Outputs');
  lines.push(
    formatTable(
      ['name', 'type', 'shape', 'role'],
      info.outputs.map((output) => [output.name, output.type, shapeText(output.shape), output.role]),
    ),
  );
  const props = Object.entries(meta.metadataProps);
  if (props.length > 0) {
    lines.push('', 'Metadata');
    lines.push(formatTable(['key', 'value'], props));
  }
  return lines.join('\n');
}

async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseOptions(context.argv));
  if (positionals.length === 0) throw new UsageError('give a model file.');
  const expectedChecksum =
    values.expect === undefined
      ? undefined
      : checkedOption(expectedChecksumSchema, values.expect, '--expect');
  const json = values.json === true;
  try {
    const info = await context.services.models.open(positionals[0]!, {
      expectedChecksum,
      companions: positionals.slice(1),
    });
    if (info.checksumCheck && !info.checksumCheck.matches) {
      const { algorithm, expected } = info.checksumCheck;
      throw new AppError(
        'checksum-mismatch',
        `${info.file.fileName} does not have the expected ${algorithm.toUpperCase()} ${expected} (it is ${info.file[algorithm]}).`,
        { expected, actual: info.file[algorithm], algorithm },
      );
    }
    if (json) writeJson(context, inspectJson(info));
    else context.stdout.write(`${formatInspection(info)}\n`);
    return exitCodes.ok;
  } catch (error) {
    return reportError(context, error, json);
  }
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { json: { type: 'boolean' }, expect: { type: 'string' } },
    allowPositionals: true,
    strict: true,
  });
}

export const inspectCommand: CliCommand = {
  name: 'inspect',
  usage,
  run,
};
