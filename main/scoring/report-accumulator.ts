import { type CapacityRequest, capacityTable, rankSorted, selectByCapacity } from '../analysis/capacity.ts';
import { decisionsFromSplit, rankingFromSorted, rankingFromSplit } from '../analysis/decisions.ts';
import { checkScores, mergeAscending } from '../analysis/labelled-scores.ts';
import { histogramOfSorted } from '../analysis/score-bins.ts';
import { metricsFromSorted } from './metrics.ts';
import type { BatchReport, ClassLabel, LabelMetrics } from './types.ts';

const histogramBins = 20;
const topRowCount = 20;
const maxValueSample = 100_000;

interface TopRow {
  line: number;
  score: number;
  cells: string[];
}

/** What an accumulator has collected, as plain data: it crosses from a worker thread to be merged. */
export interface ReportState {
  options: AccumulatorOptions;
  histogram: Float64Array<ArrayBufferLike>;
  top: TopRow[];
  /** With a label column: the scores of the positive rows and of the negative rows, each sorted ascending. */
  positives: Float64Array<ArrayBufferLike>;
  negatives: Float64Array<ArrayBufferLike>;
  rowsWithoutLabel: number;
  min: number;
  max: number;
  valueSample: number[];
}

interface AccumulatorOptions {
  scoreName: string;
  /** Scores are probabilities in [0,1]; otherwise (regression) the histogram spans what was seen. */
  probabilityScale: boolean;
  /**
   * Keep every score (8 bytes a row) even without a label column, for the capacity table, the ranking
   * and histogram bars over the scores seen: a binary model's positive-class probability.
   */
  rankScores?: boolean;
  /** A capacity asked for (`--capacity`): the report gets its exact selection. */
  capacity?: CapacityRequest;
  columns: string[];
  label?: { column: string; positiveClass: ClassLabel; classLabels: ClassLabel[] };
}

/**
 * Collects what the report needs while rows stream past: a fixed-bin histogram and the top rows in
 * constant memory; with a label column, each scored row's score and label (9 bytes a row), because
 * exact ROC AUC needs them all. `state()` sorts them in the worker (positives and negatives apart,
 * a native typed-array sort); the service merges the parts' sorted arrays in linear time and every
 * label metric is then one pass over them (metrics.ts metricsFromSorted).
 */
export class ReportAccumulator {
  private readonly histogram = new Float64Array(histogramBins);
  private readonly top: TopRow[] = [];
  private labelScores = new Float64Array(1024);
  private labelValues = new Uint8Array(1024);
  private labelCount = 0;
  /** Sorted scores merged in from other parts (merge); state() adds this accumulator's own. */
  private positives: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private negatives: Float64Array<ArrayBufferLike> = new Float64Array(0);
  private rowsWithoutLabel = 0;
  private readonly labelCache = new Map<string, 0 | 1 | null>();
  private min = Number.POSITIVE_INFINITY;
  private max = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: AccumulatorOptions) {}

  /** Scores outside [0,1] are kept for regression via a running min/max and a value sample. */
  private readonly valueSample: number[] = [];

  /**
   * One scored row. Its cells are asked for (`cellsOf(row)`) only when it enters the top rows, so the
   * engine need not keep every record of a batch alive until its predictions arrive.
   */
  add(
    score: number,
    line: number,
    labelCell: string | undefined,
    cellsOf: (row: number) => readonly string[],
    row: number,
  ): void {
    if (this.options.probabilityScale) {
      const bin = Math.min(histogramBins - 1, Math.max(0, Math.floor(score * histogramBins)));
      this.histogram[bin] = (this.histogram[bin] ?? 0) + 1;
    } else {
      this.min = Math.min(this.min, score);
      this.max = Math.max(this.max, score);
      if (this.valueSample.length < maxValueSample) this.valueSample.push(score);
    }
    const lowest = this.top[this.top.length - 1];
    if (this.top.length < topRowCount || (lowest && score > lowest.score)) {
      this.insertTop({ line, score, cells: cellsOf(row).slice() });
    }
    const label = this.options.label;
    if (label) {
      // A label column holds a handful of distinct texts ("0", "1", "yes", ""): each is matched once.
      let value = labelCell === undefined ? null : this.labelCache.get(labelCell);
      if (value === undefined) {
        value = labelValue(labelCell, label.positiveClass, label.classLabels);
        if (labelCell !== undefined && this.labelCache.size < 1000) this.labelCache.set(labelCell, value);
      }
      if (value === null) this.rowsWithoutLabel++;
      else this.pushLabel(score, value);
    } else if (this.options.rankScores) {
      this.pushLabel(score, 0); // no label: every score is kept on the "0" side
    }
  }

  /** After rows with equal scores that came before it, so ties keep file order. */
  private insertTop(entry: TopRow): void {
    let at = this.top.findIndex((row) => row.score < entry.score);
    if (at < 0) at = this.top.length;
    this.top.splice(at, 0, entry);
    if (this.top.length > topRowCount) this.top.pop();
  }

  state(): ReportState {
    if (!this.options.label) {
      // Unlabelled scores are all on the "0" side: sorted where they lie, no partition, no copy.
      return this.stateWith(new Float64Array(0), this.labelScores.subarray(0, this.labelCount).sort());
    }
    let positives = 0;
    for (let k = 0; k < this.labelCount; k++) positives += this.labelValues[k] ?? 0;
    const pos = new Float64Array(positives);
    const neg = new Float64Array(this.labelCount - positives);
    let p = 0;
    let n = 0;
    for (let k = 0; k < this.labelCount; k++) {
      const score = this.labelScores[k] ?? 0;
      if (this.labelValues[k] === 1) pos[p++] = score;
      else neg[n++] = score;
    }
    return this.stateWith(pos.sort(), neg.sort());
  }

  /** The state with this accumulator's own sorted scores merged into those merged in before. */
  private stateWith(positives: Float64Array, negatives: Float64Array): ReportState {
    return {
      options: this.options,
      histogram: this.histogram,
      top: this.top,
      positives: mergeAscending(this.positives, positives),
      negatives: mergeAscending(this.negatives, negatives),
      rowsWithoutLabel: this.rowsWithoutLabel,
      min: this.min,
      max: this.max,
      valueSample: this.valueSample,
    };
  }

  /**
   * Adds what another accumulator saw on the rows that come after this one's in the file: the
   * result is exactly what one accumulator over all the rows would hold (sums; the top rows and the
   * value sample taken in file order; scores and labels appended, so the metrics see the same order).
   */
  merge(later: ReportState): void {
    for (let bin = 0; bin < histogramBins; bin++) {
      this.histogram[bin] = (this.histogram[bin] ?? 0) + (later.histogram[bin] ?? 0);
    }
    for (const entry of later.top) {
      const lowest = this.top[this.top.length - 1];
      if (this.top.length < topRowCount || (lowest && entry.score > lowest.score)) this.insertTop(entry);
    }
    this.min = Math.min(this.min, later.min);
    this.max = Math.max(this.max, later.max);
    for (const value of later.valueSample) {
      if (this.valueSample.length >= maxValueSample) break;
      this.valueSample.push(value);
    }
    this.positives = mergeAscending(this.positives, later.positives);
    this.negatives = mergeAscending(this.negatives, later.negatives);
    this.rowsWithoutLabel += later.rowsWithoutLabel;
  }

  static fromState(state: ReportState): ReportAccumulator {
    const accumulator = new ReportAccumulator(state.options);
    accumulator.merge(state);
    return accumulator;
  }

  private pushLabel(score: number, value: number): void {
    if (this.labelCount === this.labelScores.length) {
      const scores = new Float64Array(this.labelScores.length * 2);
      scores.set(this.labelScores);
      this.labelScores = scores;
      const values = new Uint8Array(this.labelValues.length * 2);
      values.set(this.labelValues);
      this.labelValues = values;
    }
    this.labelScores[this.labelCount] = score + 0; // -0 is 0: one tie group, as splitByLabel makes it
    this.labelValues[this.labelCount] = value;
    this.labelCount++;
  }

  finish(threshold: number): BatchReport {
    const sorted = this.options.label || this.options.rankScores ? this.state() : undefined;
    const report: BatchReport = {
      scoreName: this.options.scoreName,
      histogram: this.histogramBins(),
      topRows: { columns: this.options.columns, rows: this.top },
      metrics: sorted ? this.labelMetrics(threshold, sorted) : undefined,
    };
    if (!this.options.rankScores || !sorted) return report;
    const { positives, negatives } = sorted;
    const rows = positives.length + negatives.length;
    if (rows === 0) return report;
    if (this.options.label && report.metrics) {
      // With a label: ranked over the rows that have one (the metrics' rows).
      const split = { rows, positives, negatives };
      const decisions = decisionsFromSplit(split, threshold);
      report.metrics.decisions = decisions;
      report.scoreHistogram = decisions.histogram;
      report.capacity = decisions.capacity;
      report.ranking = rankingFromSplit(split);
      if (this.options.capacity) {
        // Checked by decisionsFromSplit above; every score ascending, merged once more from the split.
        const ranked = rankSorted(mergeAscending(positives, negatives), positives);
        report.selection = selectByCapacity(ranked, this.options.capacity);
      }
    } else {
      // Every score, merged ascending from the workers' sorted parts: checked once, then each figure
      // reads the one array (a million rows: no copy, no second sort, one binary search per bar).
      checkScores(negatives);
      const ranked = rankSorted(negatives);
      report.scoreHistogram = histogramOfSorted(negatives);
      report.capacity = capacityTable(ranked);
      report.ranking = rankingFromSorted(negatives);
      if (this.options.capacity) report.selection = selectByCapacity(ranked, this.options.capacity);
    }
    return report;
  }

  private histogramBins(): BatchReport['histogram'] {
    if (this.options.probabilityScale) {
      return Array.from(this.histogram, (count, bin) => ({
        from: bin / histogramBins,
        to: (bin + 1) / histogramBins,
        count,
      }));
    }
    if (this.valueSample.length === 0) return [];
    const width = (this.max - this.min) / histogramBins || 1;
    const counts = new Array<number>(histogramBins).fill(0);
    for (const value of this.valueSample) {
      const bin = Math.min(histogramBins - 1, Math.floor((value - this.min) / width));
      counts[bin] = (counts[bin] ?? 0) + 1;
    }
    return counts.map((count, bin) => ({
      from: this.min + bin * width,
      to: this.min + (bin + 1) * width,
      count,
    }));
  }

  private labelMetrics(
    threshold: number,
    { positives, negatives }: Pick<ReportState, 'positives' | 'negatives'>,
  ): LabelMetrics | undefined {
    const label = this.options.label;
    if (!label) return undefined;
    return {
      labelColumn: label.column,
      positiveClass: label.positiveClass,
      rows: positives.length + negatives.length,
      positives: positives.length,
      rowsWithoutLabel: this.rowsWithoutLabel,
      ...metricsFromSorted(positives, negatives, threshold),
    };
  }
}

/**
 * 1 when the label cell names the positive class, 0 for another class, null when empty or unknown.
 * Compared as text, and numerically for numeric classes, so "1", "1.0" and 1 all match class 1.
 */
export function labelValue(
  cell: string | undefined,
  positive: ClassLabel,
  classes: ClassLabel[],
): 0 | 1 | null {
  if (cell === undefined) return null;
  const text = cell.trim();
  if (text === '') return null;
  const matches = (label: ClassLabel) =>
    String(label) === text || (typeof label === 'number' && text !== '' && Number(text) === label);
  if (matches(positive)) return 1;
  const known = classes.length > 0 ? classes.some(matches) : true;
  return known ? 0 : null;
}
