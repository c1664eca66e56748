import type { FeatureDrift } from '../../shared/contract/index.ts';
import { psiBand } from '../../shared/drift-bands.ts';

// Re-exported so the bundle's runtime (generated from this module) names and cuts the bands as the app does.
export { PSI_BAND_NAMES, PSI_BAND_RANGES, PSI_BANDS_TEXT, psiBand } from '../../shared/drift-bands.ts';

/**
 * Share given to an empty bin so that ln(current / reference) stays finite. 1e-4 (0.01%) is small next to the
 * 10% a decile holds, so an empty bin still contributes strongly (about 0.1 × ln(0.1 / 1e-4) ≈ 0.69 on its own),
 * as it should: a whole decile disappearing is a shift on its own.
 */
export const PSI_EPSILON = 1e-4;

export const MISSING_BIN = '(missing)';
export const UNSEEN_BIN = '(unseen)';

/**
 * The one rule for which cells a PSI is taken over: the values the model scores, so that the app's
 * drift report and the exported service's live window (which sees only what /predict accepted)
 * describe the same population. An input a payload may leave out (`optional`, e.g. a
 * DictVectorizer's) scores a missing value as scikit-learn does, so "(missing)" is one of its bins
 * and a change in how often it is empty is drift. A required input's empty cell is never scored —
 * the service refuses the payload, a batch row fails (or takes the user's fill value, a stand-in
 * rather than data) — so its missing cells are left out on both sides and the present values'
 * shares renormalised; they are still counted (missingReference / missingCurrent) and shown as
 * empty cells, just not as drift.
 */
export function missingIsScored(input: { optional?: boolean }): boolean {
  return input.optional === true;
}

/** PSI = Σ (current − reference) × ln(current / reference) over bins, with empty shares raised to ε. */
export function psiFromShares(referenceShares: readonly number[], currentShares: readonly number[]): number {
  let psi = 0;
  for (let i = 0; i < referenceShares.length; i++) {
    const reference = Math.max(referenceShares[i] ?? 0, PSI_EPSILON);
    const current = Math.max(currentShares[i] ?? 0, PSI_EPSILON);
    psi += (current - reference) * Math.log(current / reference);
  }
  return psi;
}

/**
 * Decile edges of the reference: the value at nearest rank ⌈q·n⌉ for q = 0.1 … 0.9, duplicates dropped.
 * Bins are right-closed — (−∞, e1], (e1, e2], …, (ek, ∞) — so a value equal to a tied edge always falls in
 * the same bin in the reference and the current data, and a column with few distinct values (counts such as
 * courses viewed) gets one bin per value instead of empty duplicate bins.
 */
export function decileEdges(values: readonly number[]): number[] {
  return decileEdgesOfSorted(Float64Array.from(values).sort());
}

function decileEdgesOfSorted(sorted: Float64Array): number[] {
  if (sorted.length === 0) return [];
  const edges: number[] = [];
  for (let decile = 1; decile <= 9; decile++) {
    const rank = Math.ceil((decile / 10) * sorted.length);
    const edge = sorted[Math.max(rank - 1, 0)]!;
    if (edges.length === 0 || edge > edges[edges.length - 1]!) edges.push(edge);
  }
  // An edge at the maximum would leave the last bin empty by construction in the reference.
  if (edges.length > 0 && edges[edges.length - 1] === sorted[sorted.length - 1]) edges.pop();
  return edges;
}

/** Index of the right-closed bin a value falls in: the first edge ≥ value, or the last bin. */
export function binIndex(edges: readonly number[], value: number): number {
  let low = 0;
  let high = edges.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (value <= edges[middle]!) high = middle;
    else low = middle + 1;
  }
  return low;
}

export function numericBinLabels(edges: readonly number[]): string[] {
  if (edges.length === 0) return ['all values'];
  const labels = [`≤ ${formatEdge(edges[0]!)}`];
  for (let i = 1; i < edges.length; i++)
    labels.push(`${formatEdge(edges[i - 1]!)} – ${formatEdge(edges[i]!)}`);
  labels.push(`> ${formatEdge(edges[edges.length - 1]!)}`);
  return labels;
}

function formatEdge(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}

/**
 * Cells reach these functions already read by the one CSV reader (main/scoring/row-reader.ts, the
 * number format and encoding applied): a number, a category, or null for an empty or unreadable cell.
 * Everything here is pure (no Node imports): the exported service's runtime is generated from it.
 */
export type ProfileCell = number | string | null;

/** The one rule for a profiled numeric cell: a finite number, or null (missing). The service's /drift uses it too. */
export function profileNumber(cell: unknown): number | null {
  return typeof cell === 'number' && Number.isFinite(cell) ? cell : null;
}

/** The one rule for a profiled category: the value as text, or null when empty (missing). */
export function profileCategory(cell: unknown): string | null {
  if (cell === undefined) return null;
  if (cell === null) return null;
  const text = String(cell);
  return text.trim() === '' ? null : text;
}

/** How a numeric input looked in the reference: its decile edges and the count in each bin. */
export interface NumericProfile {
  kind: 'numeric';
  name: string;
  edges: number[];
  counts: number[];
  missing: number;
  min: number | null;
  max: number | null;
}

/** How a categorical input looked in the reference: the count of each category. */
export interface CategoricalProfile {
  kind: 'categorical';
  name: string;
  counts: Record<string, number>;
  missing: number;
}

export type FeatureProfile = NumericProfile | CategoricalProfile;

export function profileNumeric(name: string, cells: Iterable<ProfileCell>): NumericProfile {
  const values: number[] = [];
  let missing = 0;
  for (const cell of cells) {
    const value = profileNumber(cell);
    if (value === null) missing++;
    else values.push(value);
  }
  return profileNumericValues(name, Float64Array.from(values), missing);
}

/** The profile of a numeric column from its present values (in any order) and its count of missing cells. */
export function profileNumericValues(name: string, values: Float64Array, missing: number): NumericProfile {
  const sorted = Float64Array.from(values).sort();
  const edges = decileEdgesOfSorted(sorted);
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const value of sorted) counts[binIndex(edges, value)]!++;
  const min = sorted.length > 0 ? sorted[0]! : null;
  const max = sorted.length > 0 ? sorted[sorted.length - 1]! : null;
  return { kind: 'numeric', name, edges, counts, missing, min, max };
}

export function profileCategorical(name: string, cells: Iterable<ProfileCell>): CategoricalProfile {
  const counts: Record<string, number> = {};
  let missing = 0;
  for (const cell of cells) {
    const category = profileCategory(cell);
    if (category === null) missing++;
    else counts[category] = (counts[category] ?? 0) + 1;
  }
  return { kind: 'categorical', name, counts, missing };
}

/** Counts of the current data in a profile's bins; fed batch by batch, so a 1M-row file needs no column in memory. */
export class DriftCounter {
  readonly binCounts: number[];
  readonly unseen = new Map<string, number>();
  missing = 0;
  private readonly categoryIndex = new Map<string, number>();

  /** `missingScored`: whether missing cells are a bin of the PSI (missingIsScored of the feature's input). */
  constructor(
    readonly profile: FeatureProfile,
    readonly missingScored = true,
  ) {
    if (profile.kind === 'numeric') {
      this.binCounts = new Array<number>(profile.counts.length).fill(0);
    } else {
      const categories = Object.keys(profile.counts);
      for (const [index, category] of categories.entries()) this.categoryIndex.set(category, index);
      this.binCounts = new Array<number>(categories.length).fill(0);
    }
  }

  add(cell: ProfileCell): void {
    const profile = this.profile;
    if (profile.kind === 'numeric') {
      const value = profileNumber(cell);
      if (value === null) this.missing++;
      else this.binCounts[binIndex(profile.edges, value)]!++;
      return;
    }
    const category = profileCategory(cell);
    if (category === null) {
      this.missing++;
      return;
    }
    const index = this.categoryIndex.get(category);
    if (index === undefined) this.unseen.set(category, (this.unseen.get(category) ?? 0) + 1);
    else this.binCounts[index]!++;
  }

  addAll(cells: Iterable<ProfileCell>): this {
    for (const cell of cells) this.add(cell);
    return this;
  }

  /** The PSI of what was added against the profile. */
  result(): FeatureDrift {
    return computePsiFromCounts(this.profile, this.binCounts, this.missing, this.unseen, this.missingScored);
  }
}

/**
 * PSI of current counts against a reference profile. When missing values are scored (missingIsScored)
 * they get a "(missing)" bin when either side has any, so a change in how often a field is empty counts
 * as drift; otherwise they are left out of both sides. Unseen categories share one "(unseen)" bin whose
 * reference share is ε.
 */
export function computePsiFromCounts(
  profile: FeatureProfile,
  currentCounts: readonly number[],
  currentMissing: number,
  unseen: ReadonlyMap<string, number> = new Map(),
  missingScored = true,
): FeatureDrift {
  const labels =
    profile.kind === 'numeric' ? numericBinLabels(profile.edges) : Object.keys(profile.counts).map(String);
  const referenceCounts = profile.kind === 'numeric' ? [...profile.counts] : Object.values(profile.counts);
  const current = [...currentCounts];
  if (missingScored && (profile.missing > 0 || currentMissing > 0)) {
    labels.push(MISSING_BIN);
    referenceCounts.push(profile.missing);
    current.push(currentMissing);
  }
  let unseenCount = 0;
  for (const count of unseen.values()) unseenCount += count;
  if (profile.kind === 'categorical' && unseenCount > 0) {
    labels.push(UNSEEN_BIN);
    referenceCounts.push(0);
    current.push(unseenCount);
  }
  const referenceShares = shares(referenceCounts);
  const currentShares = shares(current);
  const psi = psiFromShares(referenceShares, currentShares);
  const drift: FeatureDrift = {
    name: profile.name,
    kind: profile.kind,
    psi,
    band: psiBand(psi),
    bins: labels.map((label, i) => ({
      label,
      referenceShare: referenceShares[i]!,
      currentShare: currentShares[i]!,
    })),
    missingReference: profile.missing,
    missingCurrent: currentMissing,
  };
  if (profile.kind === 'categorical') {
    drift.unseenCount = unseenCount;
    drift.unseenCategories = [...unseen.keys()].sort();
  }
  return drift;
}

function shares(counts: readonly number[]): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  return counts.map((count) => (total === 0 ? 0 : count / total));
}

/** PSI of a numeric column against a reference column, binned on the reference's deciles. */
export function computePsiNumeric(
  name: string,
  reference: Iterable<ProfileCell>,
  current: Iterable<ProfileCell>,
) {
  return new DriftCounter(profileNumeric(name, reference)).addAll(current).result();
}

/** PSI of a categorical column against a reference column, by category share. */
export function computePsiCategorical(
  name: string,
  reference: Iterable<ProfileCell>,
  current: Iterable<ProfileCell>,
) {
  return new DriftCounter(profileCategorical(name, reference)).addAll(current).result();
}
