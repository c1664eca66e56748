/**
 * The widest one-line width of each group of texts, laid out by the browser in `host`'s font, so
 * weight, `tabular-nums` and letter spacing count exactly as they will in the cells (a canvas
 * `measureText` knows none of the CSS). Every group is placed before any is read: one layout for all.
 */
export function widestLines(host: HTMLElement, groups: readonly (readonly string[])[]): number[] {
  const probes = groups.map((texts) => {
    const probe = document.createElement('div');
    probe.setAttribute('aria-hidden', 'true');
    probe.style.cssText =
      'position:absolute;left:0;top:0;width:max-content;padding:0;border:0;visibility:hidden;pointer-events:none';
    for (const text of texts) {
      const line = document.createElement('div');
      // The cells' own rule: whitespace collapses, nothing wraps.
      line.style.whiteSpace = 'nowrap';
      line.textContent = text;
      probe.append(line);
    }
    return probe;
  });
  host.append(...probes);
  const widths = probes.map((probe) => probe.getBoundingClientRect().width);
  for (const probe of probes) probe.remove();
  return widths;
}
