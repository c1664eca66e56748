/** 1536 → "1.5 KB"; sizes a person reads, with the exact byte count kept for titles. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}

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
