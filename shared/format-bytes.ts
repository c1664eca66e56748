/**
 * A size as a person reads it: 1536 → "1.5 KB", 54231552 → "51.7 MB". Units of 1024 with the labels
 * Windows Explorer and Finder's users know (KB/MB/GB), one decimal below 100. The one formatter for the
 * app and the CLI; show the exact byte count beside it (a title, or "(N bytes)") where it matters.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  // 99.96 KB would print as "100.0": decide the decimals on the rounded value.
  const decimals = Number(value.toFixed(1)) >= 100 ? 0 : 1;
  return `${value.toFixed(decimals)} ${units[unit]}`;
}
