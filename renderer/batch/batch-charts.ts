import type { ChartConfiguration } from 'chart.js';
import type { BatchReport, LabelMetrics } from '../../shared/contract/index.ts';

const blue = '#3a7bd5';
const orange = '#d5803a';
const grey = '#b8c1cc';
const noAnimation = { animation: false as const, responsive: true, maintainAspectRatio: false };

export function histogramChart(report: BatchReport): ChartConfiguration {
  return {
    type: 'bar',
    data: {
      labels: report.histogram.map((bin) => `${bin.from.toFixed(2)}–${bin.to.toFixed(2)}`),
      datasets: [{ label: 'rows', data: report.histogram.map((bin) => bin.count), backgroundColor: blue }],
    },
    options: {
      ...noAnimation,
      plugins: { legend: { display: false } },
      scales: {
        x: { title: { display: true, text: report.scoreName } },
        y: { title: { display: true, text: 'rows' } },
      },
    },
  };
}

const diagonal = {
  label: 'chance',
  data: [
    { x: 0, y: 0 },
    { x: 1, y: 1 },
  ],
  borderColor: grey,
  borderDash: [4, 4],
  pointRadius: 0,
  showLine: true,
};
const unitScales = (x: string, y: string) => ({
  x: { type: 'linear' as const, min: 0, max: 1, title: { display: true, text: x } },
  y: { type: 'linear' as const, min: 0, max: 1, title: { display: true, text: y } },
});

export function rocChart(metrics: LabelMetrics, threshold: number): ChartConfiguration {
  const at = metrics.thresholdTable.find((row) => Math.abs(row.threshold - threshold) < 1e-9);
  const positives = metrics.positives;
  const negatives = metrics.rows - metrics.positives;
  const point =
    at && positives > 0 && negatives > 0
      ? [{ x: at.confusion.fp / negatives, y: at.confusion.tp / positives }]
      : [];
  return {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'ROC',
          data: metrics.rocCurve.map((p) => ({ x: p.fpr, y: p.tpr })),
          borderColor: blue,
          backgroundColor: blue,
          pointRadius: 0,
          showLine: true,
        },
        { label: `threshold ${threshold.toFixed(2)}`, data: point, backgroundColor: orange, pointRadius: 6 },
        diagonal,
      ],
    },
    options: { ...noAnimation, scales: unitScales('false positive rate', 'true positive rate') },
  };
}

export function calibrationChart(metrics: LabelMetrics): ChartConfiguration {
  return {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: 'observed vs predicted',
          data: metrics.calibration.map((bin) => ({ x: bin.meanPredicted, y: bin.observedRate })),
          borderColor: orange,
          backgroundColor: orange,
          showLine: true,
          pointRadius: 4,
        },
        { ...diagonal, label: 'perfect calibration' },
      ],
    },
    options: { ...noAnimation, scales: unitScales('mean predicted probability', 'observed positive rate') },
  };
}
