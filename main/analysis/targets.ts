import type { OutputKind, OutputTarget, TargetSetup } from '../scoring/output-targets.ts';
import { labelValue } from '../scoring/report-accumulator.ts';
import { createProfileCellReader } from '../scoring/row-reader.ts';
import type { ClassLabel, ModelShape } from '../scoring/types.ts';
import { CompareAccumulator, type CompareFigures, type CompareState, mergeCompare } from './compare.ts';
import { compareDecisions } from './decisions.ts';
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
import { missingIsScored, type ProfileCell } from './psi.ts';

/**
 * Compare, Drift and reference profiles as outputs of the batch engine's one pass: they see the
 * rows exactly as Batch reads them (main/scoring/row-reader.ts), in the same worker.
 */

export interface CompareOptions {
  threshold: number;
  /** Model B, whose predictions of each batch the engine adds (ScoredBatch.other). */
  modelB: ModelShape;
  /** Judge both against this label column (the job's labelColumn): adds `decisions`. */
  label?: {
    column: string;
    positiveClass: ClassLabel;
    classLabels: ClassLabel[];
    nameA: string;
    nameB: string;
  };
}

/** Both models' scores and the 0/1 label of every row that has a usable label, in file order. */
class LabelledPairs {
  private a = new Float64Array(1024);
  private b = new Float64Array(1024);
  private labels = new Uint8Array(1024);
  private count = 0;

  push(a: number, b: number, label: 0 | 1): void {
    if (this.count === this.a.length) {
      const grow = <T extends Float64Array | Uint8Array>(old: T, make: (n: number) => T): T => {
        const next = make(old.length * 2);
        next.set(old);
        return next;
      };
      this.a = grow(this.a, (n) => new Float64Array(n));
      this.b = grow(this.b, (n) => new Float64Array(n));
      this.labels = grow(this.labels, (n) => new Uint8Array(n));
    }
    this.a[this.count] = a;
    this.b[this.count] = b;
    this.labels[this.count] = label;
    this.count++;
  }

  state(): LabelledState {
    return {
      a: this.a.slice(0, this.count),
      b: this.b.slice(0, this.count),
      labels: this.labels.slice(0, this.count),
    };
  }
}

interface LabelledState {
  a: Float64Array<ArrayBufferLike>;
  b: Float64Array<ArrayBufferLike>;
  labels: Uint8Array<ArrayBufferLike>;
}

type CompareTargetState = CompareState & { labelled?: LabelledState };

function concatenate<T extends Float64Array<ArrayBufferLike> | Uint8Array<ArrayBufferLike>>(
  parts: T[],
  make: (n: number) => T,
): T {
  const out = make(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part as never, at);
    at += part.length;
  }
  return out;
}

export const compareOutput: OutputKind<CompareOptions, CompareTargetState, CompareFigures> = {
  create(options, setup) {
    const accumulator = new CompareAccumulator(
      options.threshold,
      setup.job.model.classLabels,
      options.modelB.classLabels,
    );
    const scoreB = decisionScore(options.modelB);
    const label = options.label;
    const pairs = label ? new LabelledPairs() : undefined;
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
        if (!pairs || !label) return;
        for (let row = 0; row < batch.size; row++) {
          // The label as Batch's report reads it (report-accumulator.ts labelValue): one rule.
          const value = labelValue(batch.labels?.[row], label.positiveClass, label.classLabels);
          if (value !== null) pairs.push(batch.score(row), scoreB(other, row), value);
        }
      },
      finish: () => ({ ...accumulator.state(), ...(pairs ? { labelled: pairs.state() } : {}) }),
    };
  },
  merge: (states, options) => {
    const figures = mergeCompare(states, options.threshold);
    const label = options.label;
    if (!label) return figures;
    const parts = states.flatMap((state) => (state.labelled ? [state.labelled] : []));
    const a = concatenate(
      parts.map((part) => part.a),
      (n) => new Float64Array(n),
    );
    const b = concatenate(
      parts.map((part) => part.b),
      (n) => new Float64Array(n),
    );
    const labels = concatenate(
      parts.map((part) => part.labels),
      (n) => new Uint8Array(n),
    );
    return {
      ...figures,
      decisions: compareDecisions(a, b, labels, {
        threshold: options.threshold,
        labelColumn: label.column,
        nameA: label.nameA,
        nameB: label.nameB,
      }),
    };
  },
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
 * distribution), and the scores of the rows that were scored. A required input's empty cells are
 * counted but left out of its PSI (psi.ts missingIsScored), as the exported service's profile does.
 */
export const driftOutput: OutputKind<
  DriftOptions,
  DriftState,
  import('../../shared/contract/index.ts').DriftReport
> = {
  create(options, setup): OutputTarget<DriftState> {
    const accumulator = new DriftAccumulator(
      options.profile,
      options.profile.features.map((feature) => {
        const entry = setup.job.mapping.find((candidate) => candidate.expectedNames.includes(feature.name));
        const input = setup.job.model.inputs.find((candidate) => candidate.name === entry?.input);
        return input ? missingIsScored(input) : true;
      }),
    );
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
