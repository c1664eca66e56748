export { formatBytes } from '../../shared/format-bytes.ts';

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function formatShape(shape: readonly (number | string | null)[]): string {
  return `[${shape.map((dim) => (dim === null ? '?' : String(dim))).join(', ')}]`;
}

export const taskLabels: Record<string, string> = {
  'binary-classification': 'Binary classification',
  'multiclass-classification': 'Multiclass classification',
  regression: 'Regression',
  unknown: 'Unknown task',
};
