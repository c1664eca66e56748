import { readFile } from 'node:fs/promises';
import { AppError } from '../errors.ts';
import { UsageError } from './command.ts';

/**
 * The options of a command that reads one payload (predict, explain), for parseArgs. Their help
 * lines stay in each command's usage, next to its other options.
 */
export const payloadOptions = {
  input: { type: 'string' },
  'input-file': { type: 'string' },
  'strict-fields': { type: 'boolean' },
} as const;

/** Where the payload comes from and what to do with fields that are not inputs of the model. */
export interface PayloadInput {
  input: string | undefined;
  inputFile: string | undefined;
  unknownFields: 'refuse' | 'ignore';
}

/** Checks the payload options (a usage error, exit 2, before anything is read). */
export function payloadInput(values: {
  input?: string;
  'input-file'?: string;
  'strict-fields'?: boolean;
}): PayloadInput {
  const input = values.input;
  const inputFile = values['input-file'];
  if ((input === undefined) === (inputFile === undefined)) {
    throw new UsageError('give the payload with either --input or --input-file.');
  }
  return { input, inputFile, unknownFields: values['strict-fields'] === true ? 'refuse' : 'ignore' };
}

/** The payload's JSON: --input's text, or the --input-file ("-": standard input). */
export async function readPayload({ input, inputFile }: PayloadInput): Promise<unknown> {
  let text: string;
  let source: string;
  if (inputFile !== undefined) {
    source = inputFile === '-' ? 'standard input' : inputFile;
    try {
      text = inputFile === '-' ? await readStdin() : await readFile(inputFile, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why =
        code === 'ENOENT'
          ? 'there is no such file'
          : code === 'EISDIR'
            ? 'it is a folder'
            : 'it cannot be read';
      throw new AppError('invalid-payload', `Cannot read the payload from ${source}: ${why}.`);
    }
  } else {
    source = '--input';
    text = input ?? '';
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new AppError(
      'invalid-payload',
      `The payload in ${source} is not valid JSON: ${(error as Error).message}.`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
