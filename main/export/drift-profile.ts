import type { ModelInfo } from '../../shared/contract/index.ts';
import type { ReferenceProfile } from '../analysis/drift.ts';
import type { FeatureProfile, NumericProfile } from '../analysis/psi.ts';
import { expectedNames as inputColumnNames } from '../scoring/column-mapping.ts';

/**
 * What a bundle carries of a drift reference: its PROFILE only, never a row. Numeric inputs keep their
 * decile edges and the share of the reference in each bin; categorical inputs the share of each
 * category; the score its decile edges and shares; each the share of missing values. Counts become
 * shares (the PSI uses only shares, so it is unchanged) and the reference's minimum and maximum, which
 * are single rows' values, are left out.
 */
export interface BundleDriftProfile {
  profileVersion: 1;
  /** The reference file's name and row count, for people reading /drift. */
  reference: { fileName: string; rows: number };
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

function total(profile: FeatureProfile): number {
  const counts = profile.kind === 'numeric' ? profile.counts : Object.values(profile.counts);
  return counts.reduce((sum, count) => sum + count, 0) + profile.missing;
}

function numericShares(profile: NumericProfile) {
  const all = total(profile);
  const share = (count: number) => (all === 0 ? 0 : count / all);
  return {
    kind: 'numeric' as const,
    edges: [...profile.edges],
    shares: profile.counts.map(share),
    missingShare: share(profile.missing),
  };
}

export function bundleDriftProfile(
  info: Pick<ModelInfo, 'inputs'>,
  profile: ReferenceProfile,
  fileName: string,
): BundleDriftProfile {
  const located = new Map<string, { input: string; position: number }>();
  for (const input of info.inputs) {
    inputColumnNames(input).forEach((column, position) => {
      located.set(column, { input: input.name, position });
    });
  }
  const features: BundleFeature[] = [];
  for (const feature of profile.features) {
    const where = located.get(feature.name);
    // A profile made for another model's inputs has nothing to watch here.
    if (!where) continue;
    if (feature.kind === 'numeric') {
      features.push({ name: feature.name, ...where, ...numericShares(feature) });
    } else {
      const all = total(feature);
      const shares: Record<string, number> = {};
      for (const [category, count] of Object.entries(feature.counts)) shares[category] = count / all;
      features.push({
        name: feature.name,
        ...where,
        kind: 'categorical',
        shares,
        missingShare: feature.missing / all,
      });
    }
  }
  return {
    profileVersion: 1,
    reference: { fileName, rows: profile.rows },
    features,
    ...(profile.score ? { score: { name: 'score', ...numericShares(profile.score) } } : {}),
  };
}
