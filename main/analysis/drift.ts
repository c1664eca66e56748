import type { DriftReport, FeatureDrift } from '../../shared/contract/index.ts';
import {
  type CategoricalProfile,
  DriftCounter,
  type FeatureProfile,
  type NumericProfile,
  type ProfileCell,
  PSI_EPSILON,
  profileNumericValues,
} from './psi.ts';

/**
 * Drift and reference profiles as plain computations (no Node imports): the batch engine feeds them
 * cells read by its one reader (analysis/targets.ts), and the exported service's runtime is
 * generated from them.
 */

/** What the library keeps of a reference CSV: per-input bins and the score deciles, never the rows. */
export interface ReferenceProfile {
  profileVersion: 1;
  rows: number;
  features: FeatureProfile[];
  /** The model's scores on the reference rows it could score (rows that failed are left out). */
  score?: NumericProfile;
}

/**
 * Counts current data into a reference profile's bins as it streams past: `addRow` with the row's
 * cell for each profiled feature (in the profile's order), `addScore` for each scored row.
 * `missingScored` says, per feature, whether its missing cells are a bin of the PSI (psi.ts
 * missingIsScored of the feature's input; missing when unknown, as before the rule).
 */
export class DriftAccumulator {
  private readonly counters: DriftCounter[];
  private readonly scoreCounter?: DriftCounter;
  private rows = 0;

  constructor(
    readonly profile: ReferenceProfile,
    private readonly missingScored: readonly boolean[] = [],
  ) {
    this.counters = profile.features.map((feature, f) => new DriftCounter(feature, missingScored[f] ?? true));
    if (profile.score) this.scoreCounter = new DriftCounter(profile.score);
  }

  addRow(cells: readonly ProfileCell[]): void {
    for (let f = 0; f < this.counters.length; f++) this.counters[f]?.add(cells[f] ?? null);
    this.rows++;
  }

  addScore(score: number): void {
    this.scoreCounter?.add(score);
  }

  state(): DriftState {
    return {
      rows: this.rows,
      missingScored: [...this.missingScored],
      features: this.counters.map(counterState),
      score: this.scoreCounter ? counterState(this.scoreCounter) : undefined,
    };
  }

  /** Adds a later part's counts. */
  merge(later: DriftState): void {
    this.rows += later.rows;
    later.features.forEach((state, f) => {
      const counter = this.counters[f];
      if (counter) addCounterState(counter, state);
    });
    if (later.score && this.scoreCounter) addCounterState(this.scoreCounter, later.score);
  }

  report(): DriftReport {
    const features: FeatureDrift[] = this.counters.map((counter) => counter.result());
    return {
      referenceRows: this.profile.rows,
      currentRows: this.rows,
      epsilon: PSI_EPSILON,
      features,
      score: this.scoreCounter ? { ...this.scoreCounter.result(), name: 'score' } : undefined,
    };
  }
}

interface CounterState {
  binCounts: number[];
  missing: number;
  unseen: Array<[string, number]>;
}

export interface DriftState {
  rows: number;
  /** The accumulator's missingScored, so the merge (which has no model) applies the same rule. */
  missingScored: boolean[];
  features: CounterState[];
  score?: CounterState;
}

function counterState(counter: DriftCounter): CounterState {
  return { binCounts: [...counter.binCounts], missing: counter.missing, unseen: [...counter.unseen] };
}

function addCounterState(counter: DriftCounter, state: CounterState): void {
  state.binCounts.forEach((count, bin) => {
    counter.binCounts[bin] = (counter.binCounts[bin] ?? 0) + count;
  });
  counter.missing += state.missing;
  for (const [category, count] of state.unseen)
    counter.unseen.set(category, (counter.unseen.get(category) ?? 0) + count);
}

/** The drift of the parts of one file, merged in file order. */
export function mergeDrift(profile: ReferenceProfile, states: readonly DriftState[]): DriftReport {
  const accumulator = new DriftAccumulator(profile, states[0]?.missingScored);
  for (const state of states) accumulator.merge(state);
  return accumulator.report();
}

/** A feature to profile: its name (input name, or feature name of an [N,F] input) and whether it is numeric. */
export interface ProfiledFeature {
  name: string;
  numeric: boolean;
}

/** What one worker collected of a reference file: every present numeric value (deciles need them all). */
export interface ProfileState {
  featureList: ProfiledFeature[];
  rows: number;
  features: Array<
    | { kind: 'numeric'; values: Float64Array<ArrayBufferLike>; missing: number }
    | { kind: 'categorical'; counts: Record<string, number>; missing: number }
  >;
  scores: Float64Array<ArrayBufferLike>;
}

/** Collects a reference file's cells and scores, row by row. */
export class ProfileCollector {
  private rows = 0;
  private readonly numeric: Array<
    { values: Float64Array<ArrayBufferLike>; count: number; missing: number } | undefined
  >;
  private readonly categorical: Array<{ counts: Map<string, number>; missing: number } | undefined>;
  private scores: Float64Array<ArrayBufferLike> = new Float64Array(1024);
  private scoreCount = 0;

  constructor(private readonly features: readonly ProfiledFeature[]) {
    this.numeric = features.map((feature) =>
      feature.numeric ? { values: new Float64Array(1024), count: 0, missing: 0 } : undefined,
    );
    this.categorical = features.map((feature) =>
      feature.numeric ? undefined : { counts: new Map(), missing: 0 },
    );
  }

  addRow(cells: readonly ProfileCell[]): void {
    this.rows++;
    for (let f = 0; f < this.features.length; f++) {
      const cell = cells[f] ?? null;
      const numeric = this.numeric[f];
      if (numeric) {
        if (typeof cell !== 'number' || !Number.isFinite(cell)) numeric.missing++;
        else {
          if (numeric.count === numeric.values.length) numeric.values = grow(numeric.values);
          numeric.values[numeric.count++] = cell;
        }
        continue;
      }
      const categorical = this.categorical[f];
      if (!categorical) continue;
      const text = cell === null ? '' : String(cell);
      if (text.trim() === '') categorical.missing++;
      else categorical.counts.set(text, (categorical.counts.get(text) ?? 0) + 1);
    }
  }

  addScore(score: number): void {
    if (!Number.isFinite(score)) return;
    if (this.scoreCount === this.scores.length) this.scores = grow(this.scores);
    this.scores[this.scoreCount++] = score;
  }

  state(): ProfileState {
    return {
      featureList: [...this.features],
      rows: this.rows,
      features: this.features.map((_, f) => {
        const numeric = this.numeric[f];
        if (numeric)
          return {
            kind: 'numeric' as const,
            values: numeric.values.slice(0, numeric.count),
            missing: numeric.missing,
          };
        const categorical = this.categorical[f];
        return {
          kind: 'categorical' as const,
          counts: Object.fromEntries(categorical?.counts ?? []),
          missing: categorical?.missing ?? 0,
        };
      }),
      scores: this.scores.slice(0, this.scoreCount),
    };
  }
}

function grow(values: Float64Array<ArrayBufferLike>): Float64Array<ArrayBufferLike> {
  const bigger = new Float64Array(values.length * 2);
  bigger.set(values);
  return bigger;
}

/** The reference profile of a file from its parts' collections, in file order. */
export function profileFromStates(states: readonly ProfileState[]): ReferenceProfile {
  const features = states[0]?.featureList ?? [];
  const rows = states.reduce((sum, state) => sum + state.rows, 0);
  const profiles: FeatureProfile[] = features.map((feature, f) => {
    const parts = states.map((state) => state.features[f]);
    const missing = parts.reduce((sum, part) => sum + (part?.missing ?? 0), 0);
    if (feature.numeric) {
      const values = concat(
        parts.map((part) => (part?.kind === 'numeric' ? part.values : new Float64Array())),
      );
      return profileNumericValues(feature.name, values, missing);
    }
    const counts: Record<string, number> = {};
    for (const part of parts) {
      if (part?.kind !== 'categorical') continue;
      for (const [category, count] of Object.entries(part.counts))
        counts[category] = (counts[category] ?? 0) + count;
    }
    const profile: CategoricalProfile = { kind: 'categorical', name: feature.name, counts, missing };
    return profile;
  });
  const scores = concat(states.map((state) => state.scores));
  return {
    profileVersion: 1,
    rows,
    features: profiles,
    score: scores.length > 0 ? profileNumericValues('score', scores, 0) : undefined,
  };
}

function concat(parts: readonly Float64Array[]): Float64Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const joined = new Float64Array(total);
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
