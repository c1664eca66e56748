/**
 * The export's note on the reference cells its drift profile leaves out (main/export/drift-profile.ts):
 * the same sentence in `modeldock export` and the Export dialog.
 */
export function describeEmptyCellsLeftOut(leftOut: Readonly<Record<string, number>>): string {
  const parts = Object.entries(leftOut).map(
    ([input, count]) => `${count.toLocaleString('en-US')} empty ${input} cell${count === 1 ? '' : 's'}`,
  );
  if (parts.length === 0) return '';
  const list = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  const required = parts.length === 1 ? 'this input' : 'these inputs';
  return `Left out of the reference profile: ${list} (the service requires ${required}, so it never scores an empty one; the other shares are renormalised).`;
}
