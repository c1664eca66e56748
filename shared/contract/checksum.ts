/**
 * Reading the checksum a user was given, and comparing it with a file's: one rule for the app's field,
 * `--expect` on the CLI and main's check before export. Pure (no node:crypto), so the renderer runs it too.
 */

export type ChecksumAlgorithm = 'sha256' | 'md5';

export type ExpectedChecksumReading =
  | {
      ok: true;
      /** Lower-case hex. */
      hash: string;
      algorithm: ChecksumAlgorithm;
      /** The file named on a `sha256sum`/`md5sum` line, when the text was one. */
      fileName?: string;
    }
  | { ok: false; message: string };

const bareHash = /^([0-9a-fA-F]{32}|[0-9a-fA-F]{64})$/;
// What `sha256sum`/`md5sum` print: the digest, a space, then a space (text mode) or `*` (binary mode) and the
// file name. A leading backslash marks a name with escaped characters (GNU coreutils).
const sumLine = /^\\?([0-9a-fA-F]{32}|[0-9a-fA-F]{64}) [ *](.+)$/;

export const expectedChecksumProblem =
  'expected an MD5 (32 hex digits) or SHA-256 (64 hex digits), or a line as sha256sum or md5sum print it (<hash>  <file>)';

function readLine(line: string): ExpectedChecksumReading {
  const bare = bareHash.exec(line);
  if (bare) {
    const hash = bare[1]!.toLowerCase();
    return { ok: true, hash, algorithm: hash.length === 32 ? 'md5' : 'sha256' };
  }
  const sum = sumLine.exec(line);
  if (sum) {
    const hash = sum[1]!.toLowerCase();
    return { ok: true, hash, algorithm: hash.length === 32 ? 'md5' : 'sha256', fileName: sum[2]! };
  }
  return { ok: false, message: expectedChecksumProblem };
}

function baseName(name: string): string {
  return name.split(/[\\/]/).pop() ?? name;
}

/**
 * A bare hex digest, or one line of `sha256sum`/`md5sum` output. Several lines (a whole SHA256SUMS file)
 * are read when exactly one of them names `fileName`.
 */
export function readExpectedChecksum(text: string, fileName?: string): ExpectedChecksumReading {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  if (lines.length === 1) return readLine(lines[0]!);
  if (lines.length === 0) return { ok: false, message: expectedChecksumProblem };
  const readings = lines.map(readLine);
  const bad = readings.find((reading) => !reading.ok);
  if (bad) return bad;
  const forFile = readings.filter(
    (reading) =>
      reading.ok && fileName !== undefined && reading.fileName && baseName(reading.fileName) === fileName,
  );
  if (forFile.length === 1) return forFile[0]!;
  return {
    ok: false,
    message:
      fileName === undefined
        ? 'paste one checksum line'
        : `paste one checksum line (${forFile.length === 0 ? 'none' : 'several'} of these lines name ${fileName})`,
  };
}

/** Compares an expected MD5 or SHA-256 (any case, any sumfile line) with a file's checksums. */
export function compareChecksum(
  expected: string,
  actual: { sha256: string; md5: string },
): { expected: string; algorithm: ChecksumAlgorithm; matches: boolean } {
  const reading = readExpectedChecksum(expected);
  const hash = reading.ok ? reading.hash : expected.trim().toLowerCase();
  const algorithm: ChecksumAlgorithm = hash.length === 32 ? 'md5' : 'sha256';
  return { expected: hash, algorithm, matches: actual[algorithm] === hash };
}
