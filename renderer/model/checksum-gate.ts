import {
  type ChecksumCheck,
  compareChecksum,
  type ModelInfo,
  readExpectedChecksum,
} from '../../shared/contract/index.ts';

/**
 * What the expected-checksum field says about the open model, derived from one value: the text in the field
 * (the store's `expectedChecksum` for this model; before the user types, the checksum given when opening).
 * The field's status and the Export gate both read this, so they cannot disagree or lag behind.
 */
export type ChecksumGate =
  | { state: 'none' }
  | { state: 'unreadable'; message: string }
  | { state: 'checked'; check: ChecksumCheck; lineFileName?: string };

export function expectedChecksumText(model: ModelInfo, stored: { modelId: string; text: string } | null) {
  return stored?.modelId === model.modelId ? stored.text : (model.checksumCheck?.expected ?? '');
}

export function checksumGate(model: ModelInfo, text: string): ChecksumGate {
  if (text.trim() === '') return { state: 'none' };
  const reading = readExpectedChecksum(text, model.file.fileName);
  if (!reading.ok) return { state: 'unreadable', message: reading.message };
  const check = compareChecksum(reading.hash, model.file);
  return reading.fileName === undefined
    ? { state: 'checked', check }
    : { state: 'checked', check, lineFileName: reading.fileName };
}

/** Why Export is off because of the expected checksum, or null. */
export function exportBlockedReason(model: ModelInfo, gate: ChecksumGate): string | null {
  if (gate.state === 'unreadable') {
    return 'Export is off: the expected checksum you gave cannot be read. Finish it, or clear it.';
  }
  if (gate.state === 'checked' && !gate.check.matches) {
    return `Export is off: ${model.file.fileName} does not match the expected ${gate.check.algorithm === 'sha256' ? 'SHA-256' : 'MD5'} checksum you gave. Check that you have the right file.`;
  }
  return null;
}
