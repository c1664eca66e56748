import type { ModelInfo } from '../../shared/contract/index.ts';
import { useAppStore } from '../app/app-store.ts';
import { type ChecksumGate, checksumGate, expectedChecksumText } from './checksum-gate.ts';

/** The gate for the open model, as a hook: re-renders when the field's text changes. */
export function useChecksumGate(model: ModelInfo): { text: string; gate: ChecksumGate } {
  const stored = useAppStore((state) => state.expectedChecksum);
  const text = expectedChecksumText(model, stored);
  return { text, gate: checksumGate(model, text) };
}
