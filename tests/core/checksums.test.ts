import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { checksumBytes, checksumFile, compareChecksum } from '../../main/models/checksums.ts';

// Published vectors: FIPS 180-2 / NIST examples for SHA-256, RFC 1321 appendix A.5 for MD5.
const vectors = [
  {
    text: '',
    sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    md5: 'd41d8cd98f00b204e9800998ecf8427e',
  },
  {
    text: 'abc',
    sha256: 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    md5: '900150983cd24fb0d6963f7d28e17f72',
  },
  {
    text: 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq',
    sha256: '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
  },
  { text: 'message digest', md5: 'f96b697d7cb7938d525a2f31aaf161d0' },
  {
    text: '12345678901234567890123456789012345678901234567890123456789012345678901234567890',
    md5: '57edf4a22be3c955ac49da2e2107b67a',
  },
  {
    text: 'The quick brown fox jumps over the lazy dog',
    sha256: 'd7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592',
    md5: '9e107d9d372bb6826bd81d3542a419d6',
  },
  {
    text: 'a'.repeat(1_000_000),
    sha256: 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    md5: '7707d6ae4e027c70eea2a935c2296f21',
  },
];

const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-checksums-'));

describe('published test vectors', () => {
  test.each(vectors.map((vector, index) => ({ ...vector, index, label: vector.text.slice(0, 30) })))(
    '"$label"',
    async ({ text, sha256, md5, index }) => {
      const file = path.join(dir, `vector-${index}`);
      writeFileSync(file, text);
      const fromFile = await checksumFile(file);
      const fromBytes = checksumBytes(Buffer.from(text));
      if (sha256) expect(fromFile.sha256).toBe(sha256);
      if (md5) expect(fromFile.md5).toBe(md5);
      expect(fromBytes).toEqual({ sha256: fromFile.sha256, md5: fromFile.md5, sizeBytes: text.length });
    },
  );
});

// 9 MiB is hashed inline, 17 MiB by the two hashing threads; both sizes end mid-chunk (+7 bytes).
describe.each([
  ['inline', 9],
  ['hashing threads', 17],
])('checksumFile (%s)', (_path, mebibytes) => {
  const bytes = randomBytes(mebibytes * 1024 * 1024 + 7);
  const file = path.join(dir, `random-${mebibytes}.bin`);
  writeFileSync(file, bytes);

  test('streams several chunks to the same digests as hashing the bytes at once, with progress', async () => {
    const progress: [number, number][] = [];
    const result = await checksumFile(file, { onProgress: (done, total) => progress.push([done, total]) });
    expect(result).toEqual({ ...checksumBytes(bytes), bytes: undefined });
    expect(progress.length).toBeGreaterThan(2);
    expect(progress.at(-1)).toEqual([bytes.length, bytes.length]);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
  });

  test('keepBytes returns the file content read in the same pass', async () => {
    const result = await checksumFile(file, { keepBytes: true });
    expect(Buffer.compare(Buffer.from(result.bytes!), bytes)).toBe(0);
    expect(result.sha256).toBe(checksumBytes(bytes).sha256);
  });

  test('stops with "cancelled" when the signal aborts', async () => {
    const controller = new AbortController();
    const reading = checksumFile(file, { signal: controller.signal, onProgress: () => controller.abort() });
    await expect(reading).rejects.toMatchObject({ code: 'cancelled' });
  });
});

describe('compareChecksum', () => {
  const actual = checksumBytes(Buffer.from('abc'));
  test('tells MD5 from SHA-256 by length and ignores case and surrounding spaces', () => {
    expect(compareChecksum(' 900150983CD24FB0D6963F7D28E17F72 ', actual)).toEqual({
      expected: '900150983cd24fb0d6963f7d28e17f72',
      algorithm: 'md5',
      matches: true,
    });
    expect(compareChecksum(actual.sha256.toUpperCase(), actual).matches).toBe(true);
    expect(compareChecksum('0'.repeat(64), actual)).toMatchObject({ algorithm: 'sha256', matches: false });
  });
});
