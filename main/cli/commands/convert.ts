import { open, realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import onnxProto from 'onnx-proto';
import { AppError } from '../../errors.ts';
import { writeFileStaged } from '../../files/staged-write.ts';
import { checksumBytes, checksumFile } from '../../models/checksums.ts';
import { convertSklearn } from '../../models/model-reader.ts';
import { describeHead, sniffLength, sniffModelFormat } from '../../models/sniff.ts';
import { type CliCommand, type CommandContext, exitCodes, parseOrUsage, UsageError } from '../command.ts';
import { reportError, writeJson } from '../output.ts';

const usage = `Usage: modeldock convert <pickle> --out <model.onnx> [--force] [--json]

Converts a scikit-learn pickle or joblib file to ONNX without running any code from it.
  --out <file>   where to write the ONNX model
  --force        replace --out if it already exists
  --json         print the result as JSON

Exit codes: 0 converted; 2 usage, or --out exists (without --force) or is the input;
3 the file cannot be converted (already ONNX, not a pickle, damaged, refused or unsupported).`;

/** Refuses, before the pickle reader sees it, a file that is not a pickle or joblib file at all. */
async function checkIsPickle(path: string, shownName: string): Promise<void> {
  const handle = await open(path, 'r');
  let head: Uint8Array;
  try {
    const buffer = new Uint8Array(sniffLength);
    const { bytesRead } = await handle.read(buffer, 0, sniffLength, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  if (head.length === 0) throw new AppError('empty-file', `${shownName} is empty.`);
  const format = sniffModelFormat(head);
  if (format === 'onnx') {
    throw new AppError(
      'unsupported-format',
      `${shownName} is already an ONNX model; there is nothing to convert (open it directly).`,
    );
  }
  if (format === null) {
    throw new AppError(
      'unsupported-format',
      `${shownName} is not a scikit-learn pickle or joblib file: ${describeHead(head)}.`,
    );
  }
}

async function existingKind(path: string): Promise<'file' | 'other' | undefined> {
  try {
    return (await stat(path)).isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
}

/** The graph inputs of the written model, for the summary ("name (type)"). */
function describeInputs(onnxBytes: Uint8Array): { name: string; type: string }[] {
  const model = onnxProto.onnx.ModelProto.decode(onnxBytes);
  return (model.graph?.input ?? []).map((input) => ({
    name: input.name ?? '',
    type: input.type?.tensorType?.elemType === onnxProto.onnx.TensorProto.DataType.STRING ? 'text' : 'number',
  }));
}

async function run(context: CommandContext): Promise<number> {
  const { values, positionals } = parseOrUsage(() => parseOptions(context.argv));
  if (positionals.length !== 1) throw new UsageError('give exactly one pickle or joblib file.');
  if (!values.out) throw new UsageError('--out <model.onnx> is required.');
  const json = values.json === true;
  const source = resolve(positionals[0]!);
  const out = resolve(values.out);
  try {
    const sourceKind = await existingKind(source);
    if (!sourceKind) throw new AppError('file-not-found', `${positionals[0]} does not exist.`);
    if (sourceKind !== 'file') throw new AppError('not-a-file', `${positionals[0]} is not a file.`);
    const outKind = await existingKind(out);
    if (outKind && (await realpath(out)) === (await realpath(source))) {
      throw new AppError(
        'output-is-input',
        'The output would overwrite the pickle itself; choose another --out.',
      );
    }
    if (outKind === 'other') throw new AppError('not-a-file', `${values.out} exists and is not a file.`);
    if (outKind === 'file' && !values.force) {
      throw new AppError('output-exists', `${values.out} already exists; add --force to replace it.`);
    }
    await checkIsPickle(source, positionals[0]!);
    const checksums = await checksumFile(source);
    const converted = await convertSklearn(source, {
      dataDir: context.services.dataDir,
      sha256: checksums.sha256,
    });
    await writeFileStaged(out, converted.onnxBytes);
    const inputs = describeInputs(converted.onnxBytes);
    const result = {
      source: { path: source, sha256: checksums.sha256, md5: checksums.md5 },
      out,
      onnxSha256: checksumBytes(converted.onnxBytes).sha256,
      sizeBytes: converted.onnxBytes.length,
      ...(converted.sklearnVersion ? { sklearnVersion: converted.sklearnVersion } : {}),
      steps: converted.steps,
      inputs,
    };
    if (json) {
      writeJson(context, result);
    } else {
      const version = converted.sklearnVersion ? ` ${converted.sklearnVersion}` : '';
      context.stdout.write(
        [
          `Converted from scikit-learn${version}: ${converted.steps.join(' → ')}`,
          `  source   ${source}`,
          `  SHA-256  ${checksums.sha256}`,
          `  MD5      ${checksums.md5}`,
          `  wrote    ${out} (${converted.onnxBytes.length} bytes)`,
          `  inputs   ${inputs.map((input) => `${input.name} (${input.type})`).join(', ')}`,
          '',
        ].join('\n'),
      );
    }
    return exitCodes.ok;
  } catch (error) {
    return reportError(context, error, json);
  }
}

function parseOptions(argv: string[]) {
  return parseArgs({
    args: argv,
    options: { out: { type: 'string' }, force: { type: 'boolean' }, json: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
}

export const convertCommand: CliCommand = {
  name: 'convert',
  usage,
  run,
};
