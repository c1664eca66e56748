// No zod here: the batch worker needs the codes, and zod would be most of its bundle.

/**
 * Every error that crosses from main to the UI (or out of the CLI) carries one of these codes.
 * The message is one sentence for a person; details hold machine-readable specifics.
 */
export const errorCodes = [
  'bad-request', // the request did not match the contract schema
  'file-not-found',
  'not-a-file', // a directory or device was given where a file was expected
  'empty-file',
  'file-too-large',
  'unsupported-format', // not a model file ModelDock can read
  'corrupt-model', // looks like a model but cannot be parsed
  'unsupported-model', // parsed, but uses something ModelDock cannot run or convert
  'refused-pickle', // a pickle that would run code or breaks a safety limit
  'checksum-mismatch',
  'invalid-payload',
  'model-not-open',
  'invalid-csv',
  'mapping-incomplete',
  'output-exists',
  'output-is-input',
  'io-error',
  'disk-full',
  'cancelled',
  'not-found',
  'unauthorized',
  'internal',
] as const;

const known = new Set<string>(errorCodes);

export function isErrorCode(value: unknown): value is (typeof errorCodes)[number] {
  return typeof value === 'string' && known.has(value);
}
