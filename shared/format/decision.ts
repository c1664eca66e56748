/**
 * A probability next to a decision threshold, for people: 4 decimals, or as many more as it takes
 * for the text to stay on the same side of the threshold as the number. 0.49999999999842815 at 0.5
 * is "0.499999999998", not "0.5000", which would read as a yes. Shared by the app and the CLI.
 */
export function formatAgainstThreshold(value: number, threshold: number): string {
  if (!Number.isFinite(value)) return String(value);
  const above = value >= threshold;
  for (let digits = 4; digits <= 17; digits++) {
    const text = value.toFixed(digits);
    if (Number(text) >= threshold === above) return text;
  }
  return String(value);
}
