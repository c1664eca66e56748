import type { ChartConfiguration } from 'chart.js';
import type { ModelDecisions, ScoreHistogram } from '../../shared/contract/index.ts';

/**
 * Charts of the decision figures, one or two models overlaid. Every axis has a title and ticks; colours
 * are told apart by hue and by line style (B dashed), so the overlay also reads in print and for
 * colour-blind readers.
 */

export interface Series {
  name: string;
  figures: ModelDecisions;
}

const colours = ['#3a7bd5', '#d5803a'] as const;
const dashes = [[], [6, 4]] as const;
const base = { animation: false as const, responsive: true, maintainAspectRatio: false };
const reference = {
  borderColor: '#8a949e',
  borderDash: [3, 3],
  pointRadius: 0,
  showLine: true,
  borderWidth: 1,
};

const linearAxis = (title: string, min?: number, max?: number) => ({
  type: 'linear' as const,
  ...(min === undefined ? {} : { min }),
  ...(max === undefined ? {} : { max }),
  title: { display: true, text: title },
  ticks: { maxTicksLimit: 6 },
});

function line(index: number, name: string, data: Array<{ x: number; y: number }>, points = 0) {
  const colour = colours[index % 2] ?? colours[0];
  return {
    label: name,
    data,
    borderColor: colour,
    backgroundColor: colour,
    borderDash: [...(dashes[index % 2] ?? [])],
    pointRadius: points,
    showLine: true,
    borderWidth: 2,
  };
}

type Point = { x: number; y: number };
type Axis = ReturnType<typeof linearAxis>;

/** Each model's line over one grey reference line (chance, base rate, …), on titled linear axes. */
function overlay(
  lines: ReturnType<typeof line>[],
  guide: { label: string; from: Point; to: Point },
  x: Axis,
  y: Axis,
): ChartConfiguration {
  return {
    type: 'scatter',
    data: { datasets: [...lines, { label: guide.label, data: [guide.from, guide.to], ...reference }] },
    options: { ...base, scales: { x, y } },
  };
}

export function rocOverlay(series: readonly Series[]): ChartConfiguration {
  return overlay(
    series.map((s, i) => line(i, `${s.name} (AUC ${s.figures.rocAuc?.toFixed(3) ?? 'n/a'})`, s.figures.roc)),
    { label: 'chance', from: { x: 0, y: 0 }, to: { x: 1, y: 1 } },
    linearAxis('false positive rate', 0, 1),
    linearAxis('true positive rate', 0, 1),
  );
}

export function precisionRecallOverlay(series: readonly Series[]): ChartConfiguration {
  const base0 = series[0]?.figures;
  const rate = base0 && base0.rows > 0 ? base0.positives / base0.rows : 0;
  return overlay(
    series.map((s, i) =>
      line(i, `${s.name} (AP ${s.figures.averagePrecision?.toFixed(3) ?? 'n/a'})`, s.figures.precisionRecall),
    ),
    { label: `base rate ${rate.toFixed(2)}`, from: { x: 0, y: rate }, to: { x: 1, y: rate } },
    linearAxis('recall', 0, 1),
    linearAxis('precision', 0, 1),
  );
}

export function calibrationOverlay(series: readonly Series[]): ChartConfiguration {
  const values = series.flatMap((s) =>
    s.figures.calibration.flatMap((bin) => [bin.meanPredicted, bin.observedRate]),
  );
  const high = Math.max(0.01, ...values);
  const low = Math.min(high, ...values);
  // The axes follow the data (a model whose scores sit between 0.5 and 0.9 is not squeezed into a corner).
  const from = Math.max(0, Math.floor(low * 10) / 10);
  const to = Math.min(1, Math.ceil(high * 10) / 10);
  return overlay(
    series.map((s, i) =>
      line(
        i,
        `${s.name}`,
        s.figures.calibration.map((bin) => ({ x: bin.meanPredicted, y: bin.observedRate })),
        4,
      ),
    ),
    { label: 'perfect calibration', from: { x: from, y: from }, to: { x: to, y: to } },
    linearAxis('mean predicted probability (10 equal-count bins)', from, to),
    linearAxis('observed conversion rate', from, to),
  );
}

export function gainsOverlay(series: readonly Series[]): ChartConfiguration {
  return overlay(
    series.map((s, i) =>
      line(
        i,
        s.name,
        [
          { x: 0, y: 0 },
          ...s.figures.gains.map((row) => ({ x: row.populationShare * 100, y: row.cumulativeGain * 100 })),
        ],
        3,
      ),
    ),
    { label: 'random order', from: { x: 0, y: 0 }, to: { x: 100, y: 100 } },
    linearAxis('% of leads called, highest scores first', 0, 100),
    linearAxis('% of all conversions reached', 0, 100),
  );
}

/** Bars over the actual score range, stacked by label when there is one. */
export function classHistogram(histogram: ScoreHistogram, scoreName: string): ChartConfiguration {
  const labels = histogram.bins.map((bin) => `${bin.from.toFixed(3)}–${bin.to.toFixed(3)}`);
  const byClass = histogram.bins.some((bin) => bin.positives !== undefined);
  const datasets = byClass
    ? [
        {
          label: 'converted (1)',
          data: histogram.bins.map((bin) => bin.positives ?? 0),
          backgroundColor: colours[1],
        },
        {
          label: 'not converted (0)',
          data: histogram.bins.map((bin) => bin.negatives ?? 0),
          backgroundColor: colours[0],
        },
      ]
    : [{ label: 'rows', data: histogram.bins.map((bin) => bin.count), backgroundColor: colours[0] }];
  return {
    type: 'bar',
    data: { labels, datasets },
    options: {
      ...base,
      plugins: { legend: { display: byClass } },
      scales: {
        x: {
          stacked: true,
          title: { display: true, text: `${scoreName} (${histogram.bins.length} bars, ${histogram.rule})` },
        },
        y: { stacked: true, title: { display: true, text: 'rows' } },
      },
    },
  };
}
