import type { OutputKind, OutputTarget, TargetSetup } from '../scoring/output-targets.ts';
import { createProfileCellReader } from '../scoring/row-reader.ts';
import type { ModelShape } from '../scoring/types.ts';
import { CompareAccumulator, type CompareFigures, type CompareState, mergeCompare } from './compare.ts';
import {
  DriftAccumulator,
  type DriftState,
  mergeDrift,
  ProfileCollector,
  type ProfiledFeature,
  type ProfileState,
  profileFromStates,
  type ReferenceProfile,
} from './drift.ts';
import type { ProfileCell } from './psi.ts';

/**
 * Compare, Drift and reference profiles as outputs of the batch engine's one pass: they see the
 * rows exactly as Batch reads them (main/scoring/row-reader.ts), in the same worker.
 */

export interface CompareOptions {
  threshold: number;
  /** Model B, whose predictions of each batch the engine adds (ScoredBatch.other). */
  modelB: ModelShape;
}

export const compareOutput: OutputKind<CompareOptions, CompareState, CompareFigures> = {
  create(options, setup) {
    const accumulator = new CompareAccumulator(
      options.threshold,
      setup.job.model.classLabels,
      options.modelB.classLabels,
    );
    const scoreB = decisionScore(options.modelB);
    return {
      scored(batch) {
        const other = batch.other;
        if (!other) throw new Error('compare: the engine gave no predictions of model B');
        accumulator.add({
          size: batch.size,
          lines: batch.lines,
          a: batch.predictions,
          b: other,
          scoreA: (row) => batch.score(row),
          scoreB: (row) => scoreB(other, row),
        });
      },
      finish: () => accumulator.state(),
    };
  },
  merge: (states, options) => mergeCompare(states, options.threshold),
};

/** The decision score compare uses for B: as output-columns.ts scores A. */
function decisionScore(
  model: ModelShape,
): (p: import('../scoring/types.ts').BatchPredictions, row: number) => number {
  if (model.task === 'regression') return (p, row) => p.value(row) ?? Number.NaN;
  if (model.task === 'binary-classification' && model.positiveClass !== undefined)
    return (p, row) => p.probability(row) ?? Number.NaN;
  const classes = model.classLabels?.length ?? 0;
  return (p, row) => {
    let best = 0;
    for (let k = 0; k < classes; k++) best = Math.max(best, p.classProbability(row, k) ?? 0);
    return best;
  };
}

/** The features a profile is made of: one per input slot (the input, or each feature of an [N,F] input). */
export function profiledFeatures(model: ModelShape, setup: Pick<TargetSetup, 'job'>): ProfiledFeature[] {
  return setup.job.mapping.flatMap((entry) => {
    const input = model.inputs.find((candidate) => candidate.name === entry.input);
    return entry.expectedNames.map((name) => ({ name, numeric: input?.kind === 'numeric' }));
  });
}

/** Reads, per record, the cell of each named feature as the one reader reads it. */
function featureCells(
  names: readonly string[],
  setup: TargetSetup,
): (record: readonly string[]) => ProfileCell[] {
  const { job, indexes } = setup;
  const slots = names.map((name) => {
    for (let k = 0; k < job.mapping.length; k++) {
      const entry = job.mapping[k];
      const j = entry?.expectedNames.indexOf(name) ?? -1;
      if (entry && j >= 0) {
        const input = job.model.inputs.find((candidate) => candidate.name === entry.input);
        return {
          index: indexes[k]?.[j] ?? -1,
          read: createProfileCellReader(input ?? { kind: 'string', type: 'string' }, job.numberFormat),
        };
      }
    }
    return { index: -1, read: () => null };
  });
  const cells: ProfileCell[] = new Array(slots.length).fill(null);
  return (record) => {
    for (let f = 0; f < slots.length; f++) {
      const slot = slots[f];
      cells[f] = slot && slot.index >= 0 ? slot.read(record[slot.index] ?? '') : null;
    }
    return cells;
  };
}

export interface DriftOptions {
  profile: ReferenceProfile;
}

/**
 * Drift against a reference profile: every data row's inputs (scored or not: the file's
 * distribution), and the scores of the rows that were scored.
 */
export const driftOutput: OutputKind<
  DriftOptions,
  DriftState,
  import('../../shared/contract/index.ts').DriftReport
> = {
  create(options, setup): OutputTarget<DriftState> {
    const accumulator = new DriftAccumulator(options.profile);
    const cellsOf = featureCells(
      options.profile.features.map((feature) => feature.name),
      setup,
    );
    return {
      record: (record) => accumulator.addRow(cellsOf(record)),
      scored(batch) {
        for (let row = 0; row < batch.size; row++) accumulator.addScore(batch.score(row));
      },
      finish: () => accumulator.state(),
    };
  },
  merge: (states, options) => mergeDrift(options.profile, states),
};

export type ProfileOptions = Record<string, never>;

/** A reference profile of the file: every input's deciles or category counts, and the score deciles. */
export const profileOutput: OutputKind<ProfileOptions, ProfileState, ReferenceProfile> = {
  create(_options, setup) {
    const features = profiledFeatures(setup.job.model, setup);
    const collector = new ProfileCollector(features);
    const cellsOf = featureCells(
      features.map((feature) => feature.name),
      setup,
    );
    return {
      record: (record) => collector.addRow(cellsOf(record)),
      scored(batch) {
        for (let row = 0; row < batch.size; row++) collector.addScore(batch.score(row));
      },
      finish: () => collector.state(),
    };
  },
  merge: (states) => profileFromStates(states),
};
