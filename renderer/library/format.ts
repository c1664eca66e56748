/** A probability or |Δp| for people: 4 decimals, or scientific notation for tiny differences. */
export function formatProbability(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  if (value !== 0 && Math.abs(value) < 1e-4) return value.toExponential(1);
  return value.toFixed(4);
}

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export { formatBytes } from '../../shared/format-bytes.ts';

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
