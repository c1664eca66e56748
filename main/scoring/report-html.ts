import type {
  Capacity,
  DriftReport,
  FeatureDrift,
  GainsRow,
  RunRecord,
  ScoreBin,
  ScoringSummary,
  ThresholdMetrics,
} from '../../shared/contract/index.ts';
import { PSI_BANDS_TEXT } from '../../shared/drift-bands.ts';
import { formatContribution } from '../../shared/explain-text.ts';

/**
 * The batch report as one self-contained HTML file: charts are inline SVG drawn here (no scripts,
 * fonts, styles or images from anywhere else), so it opens offline and can be mailed as it is.
 */
export function renderReportHtml(
  summary: ScoringSummary,
  options: {
    modelName: string;
    threshold?: number;
    drift?: DriftReport;
    /** The run as the history keeps it: model and input checksums and every setting, for an auditor. */
    audit?: RunRecord;
  },
): string {
  const { report } = summary;
  const metrics = report.metrics;
  const decisions = metrics?.decisions;
  const at = metrics ? metricsAt(metrics.thresholdTable, metrics.atThreshold, options.threshold) : undefined;
  const parts: string[] = [];
  parts.push(`<h1>Batch scoring report</h1>
<p>Model <b>${escapeHtml(options.modelName)}</b> · ${fmtInt(summary.rows)} rows read, ${fmtInt(summary.scored)} scored, ${fmtInt(summary.failed)} failed · ${summary.seconds.toFixed(2)} s</p>
<p>Output: <code>${escapeHtml(summary.outputPath)}</code>${summary.errorsPath ? `<br>Errors: <code>${escapeHtml(summary.errorsPath)}</code>` : ''}</p>`);
  if (options.audit) parts.push(auditSection(options.audit, options.threshold));
  if (Object.keys(summary.failuresByReason).length > 0) {
    parts.push(
      `<h2>Rows that could not be scored</h2>${table(
        ['Reason', 'Cells'],
        Object.entries(summary.failuresByReason).map(([reason, count]) => [reason, fmtInt(count)]),
      )}`,
    );
  }
  const unseen = Object.entries(summary.unseenCategories ?? {});
  if (unseen.length > 0) {
    parts.push(
      `<h2>Categories the model was not trained on</h2>
<p>These rows were scored as the model scores an unseen value (or failed, in strict mode); a value spelt differently from training (“Paid Ads” for “paid_ads”) shows up here.</p>${table(
        ['Input', 'Rows', 'Values (most frequent first)'],
        unseen.map(([input, values]) => [
          input,
          fmtInt(summary.unseenRows?.[input] ?? 0),
          Object.entries(values)
            .map(([value, count]) => `“${value}” ${fmtInt(count)}`)
            .join(', '),
        ]),
      )}`,
    );
  }
  const bins = report.scoreHistogram?.bins ?? report.histogram;
  parts.push(
    `<h2>Score distribution${bins.some((bin) => 'positives' in bin) ? ' per class' : ''} (${escapeHtml(report.scoreName)})</h2>${histogramSvg(bins, report.scoreName)}`,
  );
  if (metrics && at) {
    parts.push(`<h2>Against the label column “${escapeHtml(metrics.labelColumn)}”</h2>
<p>${fmtInt(metrics.rows)} labelled rows (${fmtInt(metrics.positives)} positive, class ${escapeHtml(String(metrics.positiveClass))})${metrics.rowsWithoutLabel ? `; ${fmtInt(metrics.rowsWithoutLabel)} scored rows had no usable label` : ''}.</p>
${table(
  ['ROC AUC', 'Log loss', `Accuracy @ ${at.threshold}`, 'Precision', 'Recall', 'F1'],
  [
    [
      fmt(metrics.rocAuc),
      fmt(metrics.logLoss),
      fmt(at.accuracy),
      fmt(at.precision),
      fmt(at.recall),
      fmt(at.f1),
    ],
  ],
)}
<h3>Confusion matrix at threshold ${at.threshold}</h3>
${table(
  ['', 'Predicted positive', 'Predicted negative'],
  [
    ['Actual positive', fmtInt(at.confusion.tp), fmtInt(at.confusion.fn)],
    ['Actual negative', fmtInt(at.confusion.fp), fmtInt(at.confusion.tn)],
  ],
)}
<div class="charts"><figure>${rocSvg(decisions?.roc ?? metrics.rocCurve.map((p) => ({ x: p.fpr, y: p.tpr })))}<figcaption>ROC curve</figcaption></figure>
${decisions ? `<figure>${precisionRecallSvg(decisions.precisionRecall, decisions.rows ? decisions.positives / decisions.rows : 0)}<figcaption>Precision-recall curve (dotted: the file's positive rate)</figcaption></figure>` : ''}
<figure>${calibrationSvg(decisions?.calibration ?? metrics.calibration)}<figcaption>Calibration: mean predicted vs observed rate${decisions ? ', by score decile' : ''}</figcaption></figure>
${decisions && decisions.gains.length > 0 ? `<figure>${gainsSvg(decisions.gains)}<figcaption>Cumulative gains</figcaption></figure>` : ''}</div>`);
    if (decisions && decisions.gains.length > 0) parts.push(gainsSection(decisions.gains));
  }
  if (report.capacity && report.capacity.length > 0) parts.push(capacitySection(report.capacity));
  if (options.drift) parts.push(driftSection(options.drift));
  if (summary.explanations && summary.explanations.rows > 0)
    parts.push(importanceSection(summary.explanations));
  const top = report.topRows;
  parts.push(
    `<h2>The ${top.rows.length} highest-scoring rows</h2>${table(
      ['Line', 'Score', ...top.columns],
      top.rows.map((row) => [String(row.line), fmt(row.score), ...row.cells]),
    )}`,
  );
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>ModelDock batch report — ${escapeHtml(options.modelName)}</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1d232b;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;font-variant-numeric:tabular-nums}
td,th{border:1px solid #ccd3db;padding:.25rem .5rem;text-align:left}th{background:#eef2f6}
.charts{display:flex;gap:2rem;flex-wrap:wrap}figure{margin:0}figcaption{text-align:center;color:#56606b}
code{background:#eef2f6;padding:0 .25rem;word-break:break-all}
dl.audit{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dl.audit dt{font-weight:600}dl.audit dd{margin:0}
@media print{body{margin:0;max-width:none;font-size:11pt;color:#000}figure,table,dl{break-inside:avoid}h2,h3{break-after:avoid}
th{background:#eee!important;-webkit-print-color-adjust:exact;print-color-adjust:exact}svg{max-width:100%;height:auto}}
</style></head><body>
${parts.join('\n')}
<p style="color:#56606b">Made by ModelDock on ${escapeHtml(new Date().toISOString())}.</p>
</body></html>
`;
}

/** Who and what: the model and input files with their checksums, and every setting the run used. */
function auditSection(audit: RunRecord, threshold: number | undefined): string {
  const rows: Array<[string, string]> = [];
  for (const model of audit.models) {
    const name = model.name ? `${model.name} ${model.versionLabel ?? ''}`.trim() : model.fileName;
    rows.push([
      model.role === 'model' ? 'Model' : `Model ${model.role.toUpperCase()}`,
      `${name} (${model.fileName})`,
    ]);
    rows.push(['Model SHA-256', model.sha256]);
    rows.push(['Model path', model.path]);
  }
  rows.push(['Input file', `${audit.input.fileName} (${fmtInt(audit.input.sizeBytes)} bytes)`]);
  rows.push(['Input SHA-256', audit.input.sha256]);
  rows.push(['Input path', audit.input.path]);
  const settings = {
    ...audit.settings,
    ...(threshold === undefined ? {} : { 'threshold in this report': threshold }),
  };
  for (const [key, value] of Object.entries(settings)) {
    rows.push([`Setting: ${key}`, typeof value === 'string' ? value : JSON.stringify(value)]);
  }
  for (const [key, value] of Object.entries(audit.outputs)) rows.push([`Output: ${key}`, value]);
  rows.push(['Run', `${audit.id}, finished ${audit.finishedAt} (${audit.via})`]);
  return `<h2>What was run</h2>
<dl class="audit">${rows.map(([term, value]) => `<dt>${escapeHtml(term)}</dt><dd><code>${escapeHtml(value)}</code></dd>`).join('')}</dl>`;
}

function gainsSection(gains: GainsRow[]): string {
  return `<h2>Gains and lift by decile</h2>
<p>Rows ranked by score, highest first. Rows tied on the score at a decile edge share their conversions pro rata.</p>
${table(
  ['Top', 'Rows', 'Label-1 rows', 'Cumulative', 'Share of all label-1 rows', 'Lift', 'Cumulative lift'],
  gains.map((row) => [
    `${(row.populationShare * 100).toFixed(0)} %`,
    fmtInt(row.rows),
    fmtCount(row.conversions),
    fmtCount(row.cumulativeConversions),
    `${(row.cumulativeGain * 100).toFixed(1)} %`,
    row.lift.toFixed(2),
    row.cumulativeLift.toFixed(2),
  ]),
)}`;
}

function capacitySection(rows: Capacity[]): string {
  const labelled = rows.some((row) => row.conversions !== undefined);
  return `<h2>Capacity: whom to call</h2>
<p>The threshold that selects each share of the rows (score ≥ threshold; rows tied with the last one in are selected too), and what is in the selection.</p>
${table(
  [
    'Capacity',
    'Threshold',
    'Selected',
    'Expected conversions (sum of scores)',
    ...(labelled ? ['Label-1 rows', 'Precision', 'Recall', 'Lift'] : []),
  ],
  rows.map((row) => [
    `${row.request.kind === 'share' ? `${(row.request.share * 100).toFixed(0)} %` : fmtInt(row.request.count)} (${fmtInt(row.capacity)} rows)`,
    row.threshold === null ? '—' : fmt(row.threshold),
    `${fmtInt(row.selected)}${row.tiedBeyondCapacity ? ` (+${fmtInt(row.tiedBeyondCapacity)} tied)` : ''}`,
    row.expectedConversions.toFixed(1),
    ...(labelled
      ? [
          fmtInt(row.conversions ?? 0),
          fmt(row.precision ?? 0),
          fmt(row.recall ?? 0),
          (row.lift ?? 0).toFixed(2),
        ]
      : []),
  ]),
)}`;
}

function fmtCount(value: number): string {
  return Number.isInteger(value) ? fmtInt(value) : value.toFixed(1);
}

/** A run with explanations: mean |contribution| per input and mean contribution by score decile (largest first). */
function importanceSection(explained: NonNullable<ScoringSummary['explanations']>): string {
  const order = explained.inputs
    .map((_, i) => i)
    .sort((a, b) => explained.meanAbsolute[b]! - explained.meanAbsolute[a]!);
  const rows = order.map((i) => [
    explained.inputs[i]!,
    explained.meanAbsolute[i]!.toPrecision(3),
    ...explained.byDecile.map((decile) => formatContribution(decile.meanContribution[i]!)),
  ]);
  return `<h2>What drives the scores</h2>
<p>Mean contribution of each input over ${fmtInt(explained.rows)} explained rows (${explained.method} Shapley values against ${fmtInt(explained.background.rows)} rows of ${escapeHtml(explained.background.name)}), overall and by decile of the score (1 = lowest). Each row's top three drivers are in the output file.</p>
${table(['Input', 'Mean |contribution|', ...explained.byDecile.map((decile) => `Decile ${decile.decile}`)], rows)}`;
}

/** The PSI table the Batch tab shows under the report: one row per input, then the score distribution. */
function driftSection(drift: DriftReport): string {
  const row = (feature: FeatureDrift, name: string) => [
    name,
    feature.psi.toFixed(3),
    feature.band,
    feature.unseenCount
      ? `${fmtInt(feature.unseenCount)}${feature.unseenCategories?.length ? ` (${feature.unseenCategories.slice(0, 5).join(', ')})` : ''}`
      : feature.kind === 'categorical'
        ? '0'
        : '—',
    fmtInt(feature.missingCurrent),
    fmtInt(feature.missingReference),
  ];
  const rows = drift.features.map((feature) => row(feature, feature.name));
  if (drift.score) rows.push(row(drift.score, `score distribution (${drift.score.name})`));
  return `<h2>Drift against the reference</h2>
<p>Population stability index of ${fmtInt(drift.currentRows)} scored rows against the reference's ${fmtInt(drift.referenceRows)}; bands ${escapeHtml(PSI_BANDS_TEXT)}.${drift.score ? '' : ' The score distribution is not compared (no single score column).'}</p>
${table(['Input', 'PSI', 'Band', 'Rows with unseen categories', 'Empty cells (scored)', 'Empty cells (reference)'], rows)}`;
}

function metricsAt(
  table: ThresholdMetrics[],
  fallback: ThresholdMetrics,
  threshold: number | undefined,
): ThresholdMetrics {
  if (threshold === undefined || threshold === fallback.threshold) return fallback;
  return table.find((row) => Math.abs(row.threshold - threshold) < 1e-9) ?? fallback;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function fmt(value: number | null): string {
  if (value === null || !Number.isFinite(value)) return '—';
  return Math.abs(value) >= 1000 ? value.toFixed(0) : value.toFixed(4);
}

function fmtInt(value: number): string {
  return value.toLocaleString('en-US');
}

function table(head: string[], rows: string[][]): string {
  const th = head.map((cell) => `<th>${escapeHtml(cell)}</th>`).join('');
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`)
    .join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>${body}</tbody></table>`;
}

const size = { width: 440, height: 320, left: 56, right: 12, top: 28, bottom: 48 };
const palette = ['#2f6fc6', '#c46a1c'] as const;

/** About `count` round tick values covering [min, max] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * power >= raw) ?? 10) * power;
  const ticks: number[] = [];
  for (let t = Math.ceil(min / step - 1e-9) * step; t <= max + step * 1e-9; t += step) {
    ticks.push(Number(t.toPrecision(12)));
  }
  return ticks;
}

function tickText(value: number): string {
  return Math.abs(value) >= 1000 ? fmtInt(value) : String(Number(value.toPrecision(6)));
}

interface PlotSeries {
  name: string;
  points: Array<[number, number]>;
  colour: string;
  dashed?: boolean;
  dots?: boolean;
}

interface PlotFrame {
  label: string;
  xLabel: string;
  yLabel: string;
  x: [number, number];
  y: [number, number];
}

/** Axes with ticks and tick labels on both, axis titles, and a legend: every chart of the report. */
function frame(plot: PlotFrame, legend: Array<{ name: string; colour: string; dashed?: boolean }>) {
  const { width, height, left, right, top, bottom } = size;
  const [x0, x1] = plot.x;
  const [y0, y1] = plot.y;
  const px = (x: number) => left + ((x - x0) / (x1 - x0 || 1)) * (width - left - right);
  const py = (y: number) => height - bottom - ((y - y0) / (y1 - y0 || 1)) * (height - top - bottom);
  const parts: string[] = [
    `<line x1="${left}" y1="${height - bottom}" x2="${width - right}" y2="${height - bottom}" stroke="#444c56"/>`,
    `<line x1="${left}" y1="${top}" x2="${left}" y2="${height - bottom}" stroke="#444c56"/>`,
  ];
  for (const t of niceTicks(x0, x1)) {
    const x = px(t).toFixed(1);
    parts.push(
      `<line x1="${x}" y1="${height - bottom}" x2="${x}" y2="${height - bottom + 4}" stroke="#444c56"/><text x="${x}" y="${height - bottom + 16}" font-size="11" text-anchor="middle">${tickText(t)}</text>`,
    );
  }
  for (const t of niceTicks(y0, y1)) {
    const y = py(t).toFixed(1);
    parts.push(
      `<line x1="${left - 4}" y1="${y}" x2="${left}" y2="${y}" stroke="#444c56"/><line x1="${left}" y1="${y}" x2="${width - right}" y2="${y}" stroke="#e3e7ec"/><text x="${left - 6}" y="${y}" dy="4" font-size="11" text-anchor="end">${tickText(t)}</text>`,
    );
  }
  parts.push(
    `<text x="${(left + width - right) / 2}" y="${height - 10}" text-anchor="middle" font-size="12">${escapeHtml(plot.xLabel)}</text>`,
    `<text x="14" y="${(top + height - bottom) / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 14 ${(top + height - bottom) / 2})">${escapeHtml(plot.yLabel)}</text>`,
  );
  legend.forEach((entry, i) => {
    const x = left + 8 + i * 150;
    parts.push(
      `<line x1="${x}" y1="12" x2="${x + 18}" y2="12" stroke="${entry.colour}" stroke-width="3"${entry.dashed ? ' stroke-dasharray="5 3"' : ''}/><text x="${x + 22}" y="16" font-size="11">${escapeHtml(entry.name)}</text>`,
    );
  });
  return { px, py, parts };
}

function lineChart(plot: PlotFrame, series: PlotSeries[], diagonal?: Array<[number, number]>): string {
  const { px, py, parts } = frame(plot, series);
  if (diagonal) {
    const line = diagonal.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="#9aa3ad" stroke-dasharray="3 3" points="${line}"/>`);
  }
  for (const s of series) {
    const line = s.points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
    parts.push(
      `<polyline fill="none" stroke="${s.colour}" stroke-width="2"${s.dashed ? ' stroke-dasharray="6 4"' : ''} points="${line}"/>`,
    );
    if (s.dots) {
      for (const [x, y] of s.points) {
        parts.push(
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3.5" fill="${s.colour}"><title>${escapeHtml(s.name)}: ${fmt(x)}, ${fmt(y)}</title></circle>`,
        );
      }
    }
  }
  return svg(parts.join(''), plot.label);
}

function svg(body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(label)}" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}">${body}</svg>`;
}

/** Bars over the scores seen; stacked label 1 on label 0 when the bins carry labels. */
function histogramSvg(bins: ScoreBin[], scoreName: string): string {
  if (bins.length === 0) return '<p>No rows were scored.</p>';
  const byClass = bins.some((bin) => bin.positives !== undefined);
  const max = Math.max(1, ...bins.map((bin) => bin.count));
  const plot: PlotFrame = {
    label: 'Score distribution',
    xLabel: scoreName,
    yLabel: 'rows',
    x: [bins[0]?.from ?? 0, bins[bins.length - 1]?.to ?? 1],
    y: [0, max],
  };
  const legend = byClass
    ? [
        { name: 'label 0', colour: palette[0] },
        { name: 'label 1', colour: palette[1] },
      ]
    : [];
  const { px, py, parts } = frame(plot, legend);
  for (const bin of bins) {
    const x0 = px(bin.from);
    const width = Math.max(0.5, px(bin.to) - x0 - 1);
    const negatives = byClass ? (bin.negatives ?? 0) : bin.count;
    const positives = byClass ? (bin.positives ?? 0) : 0;
    const tip = `${fmt(bin.from)}–${fmt(bin.to)}: ${fmtInt(bin.count)}${byClass ? ` (${fmtInt(positives)} label 1)` : ''}`;
    parts.push(
      `<rect x="${x0.toFixed(1)}" y="${py(negatives).toFixed(1)}" width="${width.toFixed(1)}" height="${(py(0) - py(negatives)).toFixed(1)}" fill="${palette[0]}"><title>${escapeHtml(tip)}</title></rect>`,
    );
    if (positives > 0) {
      parts.push(
        `<rect x="${x0.toFixed(1)}" y="${py(negatives + positives).toFixed(1)}" width="${width.toFixed(1)}" height="${(py(negatives) - py(negatives + positives)).toFixed(1)}" fill="${palette[1]}"><title>${escapeHtml(tip)}</title></rect>`,
      );
    }
  }
  return svg(parts.join(''), plot.label);
}

function rocSvg(points: Array<{ x: number; y: number }>): string {
  return lineChart(
    { label: 'ROC curve', xLabel: 'false positive rate', yLabel: 'true positive rate', x: [0, 1], y: [0, 1] },
    [{ name: 'this model', colour: palette[0], points: points.map((p) => [p.x, p.y]) }],
    [
      [0, 0],
      [1, 1],
    ],
  );
}

function precisionRecallSvg(points: Array<{ x: number; y: number }>, baseRate: number): string {
  return lineChart(
    { label: 'Precision-recall curve', xLabel: 'recall', yLabel: 'precision', x: [0, 1], y: [0, 1] },
    [{ name: 'this model', colour: palette[0], points: points.map((p) => [p.x, p.y]) }],
    [
      [0, baseRate],
      [1, baseRate],
    ],
  );
}

function calibrationSvg(bins: Array<{ meanPredicted: number; observedRate: number; count: number }>): string {
  const values = bins.flatMap((bin) => [bin.meanPredicted, bin.observedRate]);
  const from = Math.max(0, Math.floor(Math.min(1, ...values) * 10) / 10);
  const to = Math.min(1, Math.ceil(Math.max(0, ...values) * 10) / 10);
  return lineChart(
    {
      label: 'Calibration plot',
      xLabel: 'mean predicted probability',
      yLabel: 'observed positive rate',
      x: [from, to > from ? to : from + 0.1],
      y: [from, to > from ? to : from + 0.1],
    },
    [
      {
        name: 'observed vs predicted',
        colour: palette[1],
        dots: true,
        points: bins.map((bin) => [bin.meanPredicted, bin.observedRate]),
      },
    ],
    [
      [from, from],
      [to, to],
    ],
  );
}

function gainsSvg(gains: GainsRow[]): string {
  return lineChart(
    {
      label: 'Cumulative gains',
      xLabel: '% of rows, highest scores first',
      yLabel: '% of all label-1 rows reached',
      x: [0, 100],
      y: [0, 100],
    },
    [
      {
        name: 'this model',
        colour: palette[0],
        dots: true,
        points: [
          [0, 0],
          ...gains.map((row): [number, number] => [row.populationShare * 100, row.cumulativeGain * 100]),
        ],
      },
    ],
    [
      [0, 0],
      [100, 100],
    ],
  );
}
