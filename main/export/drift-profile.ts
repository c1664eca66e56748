import type { ModelInfo } from '../../shared/contract/index.ts';
import type { ReferenceProfile } from '../analysis/drift.ts';
import { type FeatureProfile, missingIsScored, type NumericProfile } from '../analysis/psi.ts';
import { expectedNames as inputColumnNames } from '../scoring/column-mapping.ts';

/**
 * What a bundle carries of a drift reference: its PROFILE only, never a row. Numeric inputs keep their
 * decile edges and the share of the reference in each bin; categorical inputs the share of each
 * category; the score its decile edges and shares; each the share of missing values. Counts become
 * shares (the PSI uses only shares, so it is unchanged) and the reference's minimum and maximum, which
 * are single rows' values, are left out.
 *
 * The profile describes what the service scores, as its live window does (psi.ts missingIsScored):
 * a required input's empty reference cells are left out and its shares renormalised over the present
 * values, because /predict refuses a payload without that input — kept, they would be a "(missing)"
 * share the window can never match, a permanent false alarm for every reference with empty cells.
 * An input a payload may leave out keeps its "(missing)" share: the window counts a left-out field
 * there. The app's drift report applies the same rule, so both give the same PSI for the same rows.
 */
export interface BundleDriftProfile {
  profileVersion: 1;
  /**
   * The reference file's name and row count, for people reading /drift, and per feature the empty
   * cells left out of its profile (only when there were any).
   */
  reference: { fileName: string; rows: number; emptyCellsLeftOut?: Record<string, number> };
  features: BundleFeature[];
  score?: BundleNumeric;
}

interface Located {
  name: string;
  /** The model input this feature is read from, and its position in an [N,F] input. */
  input: string;
  position: number;
  missingShare: number;
}

export type BundleNumeric = Omit<Located, 'input' | 'position'> & {
  kind: 'numeric';
  edges: number[];
  shares: number[];
};
export type BundleFeature =
  | (Located & { kind: 'numeric'; edges: number[]; shares: number[] })
  | (Located & { kind: 'categorical'; shares: Record<string, number> });

/** Where the profile goes in the bundle (listed in manifest.json and SHA256SUMS like every file). */
export const driftProfilePath = 'drift/reference-profile.json';

/** The reference cells a feature's shares are taken over: present ones, and missing ones when scored. */
function total(profile: FeatureProfile, missingScored: boolean): number {
  const counts = profile.kind === 'numeric' ? profile.counts : Object.values(profile.counts);
  return counts.reduce((sum, count) => sum + count, 0) + (missingScored ? profile.missing : 0);
}

function numericShares(profile: NumericProfile, missingScored: boolean) {
  const all = total(profile, missingScored);
  const share = (count: number) => (all === 0 ? 0 : count / all);
  return {
    kind: 'numeric' as const,
    edges: [...profile.edges],
    shares: profile.counts.map(share),
    missingShare: missingScored ? share(profile.missing) : 0,
  };
}

export function bundleDriftProfile(
  info: Pick<ModelInfo, 'inputs'>,
  profile: ReferenceProfile,
  fileName: string,
): BundleDriftProfile {
  const located = new Map<string, { where: { input: string; position: number }; missingScored: boolean }>();
  for (const input of info.inputs) {
    inputColumnNames(input).forEach((column, position) => {
      located.set(column, { where: { input: input.name, position }, missingScored: missingIsScored(input) });
    });
  }
  const features: BundleFeature[] = [];
  const emptyCellsLeftOut: Record<string, number> = {};
  for (const feature of profile.features) {
    const found = located.get(feature.name);
    // A profile made for another model's inputs has nothing to watch here.
    if (!found) continue;
    const { where, missingScored } = found;
    if (!missingScored && feature.missing > 0) emptyCellsLeftOut[feature.name] = feature.missing;
    if (feature.kind === 'numeric') {
      features.push({ name: feature.name, ...where, ...numericShares(feature, missingScored) });
    } else {
      const all = total(feature, missingScored);
      const share = (count: number) => (all === 0 ? 0 : count / all);
      const shares: Record<string, number> = {};
      for (const [category, count] of Object.entries(feature.counts)) shares[category] = share(count);
      features.push({
        name: feature.name,
        ...where,
        kind: 'categorical',
        shares,
        missingShare: missingScored ? share(feature.missing) : 0,
      });
    }
  }
  return {
    profileVersion: 1,
    reference: {
      fileName,
      rows: profile.rows,
      ...(Object.keys(emptyCellsLeftOut).length > 0 ? { emptyCellsLeftOut } : {}),
    },
    features,
    // The score's profile is already the scored population: the reference rows the model could score.
    ...(profile.score ? { score: { name: 'score', ...numericShares(profile.score, true) } } : {}),
  };
}
