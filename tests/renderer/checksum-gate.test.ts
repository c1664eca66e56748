import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checksumGate,
  expectedChecksumText,
  exportBlockedReason,
} from '../../renderer/model/checksum-gate.ts';
import type { ModelInfo } from '../../shared/contract/index.ts';
import { compareChecksum, readExpectedChecksum } from '../../shared/contract/index.ts';

const sha256 = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const md5 = '900150983cd24fb0d6963f7d28e17f72';
const model = {
  modelId: 'm1',
  file: { path: '/x/lead.onnx', fileName: 'lead.onnx', sha256, md5, sizeBytes: 3 },
} as ModelInfo;

describe('readExpectedChecksum', () => {
  it('reads a bare digest and the lines sha256sum and md5sum print (text and binary mode)', () => {
    expect(readExpectedChecksum(` ${sha256.toUpperCase()} `)).toEqual({
      ok: true,
      hash: sha256,
      algorithm: 'sha256',
    });
    expect(readExpectedChecksum(`${sha256}  lead.onnx`)).toEqual({
      ok: true,
      hash: sha256,
      algorithm: 'sha256',
      fileName: 'lead.onnx',
    });
    expect(readExpectedChecksum(`${md5} *models/lead.onnx\n`)).toEqual({
      ok: true,
      hash: md5,
      algorithm: 'md5',
      fileName: 'models/lead.onnx',
    });
    // GNU coreutils escapes odd names with a leading backslash.
    expect(readExpectedChecksum(`\\${md5}  a\\nb.onnx`)).toMatchObject({ ok: true, hash: md5 });
    for (const bad of ['', 'abc', 'g'.repeat(32), 'a'.repeat(40), `${md5} lead.onnx`, `${md5}x  lead.onnx`])
      expect(readExpectedChecksum(bad).ok, bad).toBe(false);
  });

  it('picks the line naming the file out of a whole SHA256SUMS file', () => {
    const sums = `${'1'.repeat(64)}  other.onnx\n${sha256}  ./lead.onnx\n`;
    expect(readExpectedChecksum(sums, 'lead.onnx')).toMatchObject({ ok: true, hash: sha256 });
    expect(readExpectedChecksum(sums, 'missing.onnx')).toMatchObject({ ok: false });
    expect(readExpectedChecksum(sums)).toMatchObject({ ok: false });
  });

  it('round-trips any digest written as sha256sum/md5sum would, whatever the file name', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.stringMatching(/^[0-9a-f]{64}$/), fc.stringMatching(/^[0-9a-f]{32}$/)),
        fc.constantFrom(' ', '*'),
        fc
          .string({ minLength: 1, maxLength: 20 })
          .filter((name) => !/[\r\n]/.test(name) && name.trim() === name),
        (hash, mode, name) => {
          const reading = readExpectedChecksum(`${hash} ${mode}${name}`);
          expect(reading).toMatchObject({ ok: true, hash, fileName: name });
          expect(compareChecksum(`${hash} ${mode}${name}`, { sha256: hash, md5: hash }).matches).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('the Export gate is derived from the expected-checksum text alone', () => {
  it('is open with no text, closed on a mismatch, open again once the text is cleared', () => {
    expect(exportBlockedReason(model, checksumGate(model, ''))).toBeNull();
    const mismatch = checksumGate(model, '0'.repeat(64));
    expect(mismatch).toMatchObject({ state: 'checked', check: { matches: false } });
    expect(exportBlockedReason(model, mismatch)).toMatch(/does not match the expected SHA-256/);
    expect(exportBlockedReason(model, checksumGate(model, '   '))).toBeNull();
    expect(exportBlockedReason(model, checksumGate(model, `${md5}  lead.onnx`))).toBeNull();
    expect(exportBlockedReason(model, checksumGate(model, sha256.slice(0, 20)))).toMatch(/cannot be read/);
  });

  it("starts from the checksum given when the model was opened, then follows the field's text", () => {
    const opened = {
      ...model,
      checksumCheck: { expected: '0'.repeat(64), algorithm: 'sha256', matches: false },
    } as ModelInfo;
    expect(expectedChecksumText(opened, null)).toBe('0'.repeat(64));
    expect(expectedChecksumText(opened, { modelId: 'm1', text: '' })).toBe('');
    expect(expectedChecksumText(opened, { modelId: 'other', text: 'x' })).toBe('0'.repeat(64));
  });
});
