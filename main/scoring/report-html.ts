import type {
  DriftReport,
  FeatureDrift,
  ScoringSummary,
  ThresholdMetrics,
} from '../../shared/contract/index.ts';

/**
 * The batch report as one self-contained HTML file: charts are inline SVG drawn here (no scripts,
 * fonts, styles or images from anywhere else), so it opens offline and can be mailed as it is.
 */
export function renderReportHtml(
  summary: ScoringSummary,
  options: { modelName: string; threshold?: number; drift?: DriftReport },
): string {
  const { report } = summary;
  const metrics = report.metrics;
  const at = metrics ? metricsAt(metrics.thresholdTable, metrics.atThreshold, options.threshold) : undefined;
  const parts: string[] = [];
  parts.push(`<h1>Batch scoring report</h1>
<p>Model <b>${escapeHtml(options.modelName)}</b> · ${fmtInt(summary.rows)} rows read, ${fmtInt(summary.scored)} scored, ${fmtInt(summary.failed)} failed · ${summary.seconds.toFixed(2)} s</p>
<p>Output: <code>${escapeHtml(summary.outputPath)}</code>${summary.errorsPath ? `<br>Errors: <code>${escapeHtml(summary.errorsPath)}</code>` : ''}</p>`);
  if (Object.keys(summary.failuresByReason).length > 0) {
    parts.push(
      `<h2>Rows that could not be scored</h2>${table(
        ['Reason', 'Cells'],
        Object.entries(summary.failuresByReason).map(([reason, count]) => [reason, fmtInt(count)]),
      )}`,
    );
  }
  parts.push(
    `<h2>Score distribution (${escapeHtml(report.scoreName)})</h2>${histogramSvg(report.histogram)}`,
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
<div class="charts"><figure>${rocSvg(metrics.rocCurve)}<figcaption>ROC curve</figcaption></figure>
<figure>${calibrationSvg(metrics.calibration)}<figcaption>Calibration: mean predicted vs observed rate</figcaption></figure></div>`);
  }
  if (options.drift) parts.push(driftSection(options.drift));
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
code{background:#eef2f6;padding:0 .25rem}
</style></head><body>
${parts.join('\n')}
<p style="color:#56606b">Made by ModelDock on ${escapeHtml(new Date().toISOString())}.</p>
</body></html>
`;
}

const bandText = { stable: 'stable', moderate: 'moderate shift', significant: 'significant shift' } as const;

/** The PSI table the Batch tab shows under the report: one row per input, then the score distribution. */
function driftSection(drift: DriftReport): string {
  const row = (feature: FeatureDrift, name: string) => [
    name,
    feature.psi.toFixed(3),
    bandText[feature.band],
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
<p>Population stability index of ${fmtInt(drift.currentRows)} scored rows against the reference's ${fmtInt(drift.referenceRows)}: below 0.1 stable, 0.1–0.25 moderate, above 0.25 significant.${drift.score ? '' : ' The score distribution is not compared (no single score column).'}</p>
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

const size = { width: 420, height: 300, pad: 40 };

function axes(xLabel: string, yLabel: string): string {
  const { width, height, pad } = size;
  return `<line x1="${pad}" y1="${height - pad}" x2="${width - 10}" y2="${height - pad}" stroke="#56606b"/>
<line x1="${pad}" y1="10" x2="${pad}" y2="${height - pad}" stroke="#56606b"/>
<text x="${width / 2}" y="${height - 8}" text-anchor="middle" font-size="12">${escapeHtml(xLabel)}</text>
<text x="12" y="${height / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 12 ${height / 2})">${escapeHtml(yLabel)}</text>`;
}

/** Maps [0,1]² onto the plot area. */
function unitToPlot(x: number, y: number): [number, number] {
  const { width, height, pad } = size;
  return [pad + x * (width - pad - 10), height - pad - y * (height - pad - 10)];
}

function svg(body: string, label: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="${escapeHtml(label)}" width="${size.width}" height="${size.height}" viewBox="0 0 ${size.width} ${size.height}">${body}</svg>`;
}

function histogramSvg(bins: Array<{ from: number; to: number; count: number }>): string {
  if (bins.length === 0) return '<p>No rows were scored.</p>';
  const max = Math.max(1, ...bins.map((bin) => bin.count));
  const bars = bins
    .map((bin, index) => {
      const [x0, y0] = unitToPlot(index / bins.length, bin.count / max);
      const [x1, base] = unitToPlot((index + 1) / bins.length, 0);
      return `<rect x="${x0.toFixed(1)}" y="${y0.toFixed(1)}" width="${Math.max(0, x1 - x0 - 1).toFixed(1)}" height="${(base - y0).toFixed(1)}" fill="#3a7bd5"><title>${fmt(bin.from)}–${fmt(bin.to)}: ${fmtInt(bin.count)}</title></rect>`;
    })
    .join('');
  const first = bins[0]?.from ?? 0;
  const last = bins[bins.length - 1]?.to ?? 1;
  const ticks = `<text x="${size.pad}" y="${size.height - size.pad + 14}" font-size="11">${fmt(first)}</text><text x="${size.width - 10}" y="${size.height - size.pad + 14}" font-size="11" text-anchor="end">${fmt(last)}</text><text x="${size.pad - 4}" y="16" font-size="11" text-anchor="end">${fmtInt(max)}</text>`;
  return svg(axes('score', 'rows') + bars + ticks, 'Score histogram');
}

function rocSvg(points: Array<{ fpr: number; tpr: number }>): string {
  const line = points
    .map((p) =>
      unitToPlot(p.fpr, p.tpr)
        .map((v) => v.toFixed(1))
        .join(','),
    )
    .join(' ');
  const [dx0, dy0] = unitToPlot(0, 0);
  const [dx1, dy1] = unitToPlot(1, 1);
  return svg(
    `${axes('false positive rate', 'true positive rate')}<line x1="${dx0}" y1="${dy0}" x2="${dx1}" y2="${dy1}" stroke="#ccd3db" stroke-dasharray="4"/><polyline fill="none" stroke="#3a7bd5" stroke-width="2" points="${line}"/>`,
    'ROC curve',
  );
}

function calibrationSvg(bins: Array<{ meanPredicted: number; observedRate: number; count: number }>): string {
  const [dx0, dy0] = unitToPlot(0, 0);
  const [dx1, dy1] = unitToPlot(1, 1);
  const line = bins
    .map((bin) =>
      unitToPlot(bin.meanPredicted, bin.observedRate)
        .map((v) => v.toFixed(1))
        .join(','),
    )
    .join(' ');
  const dots = bins
    .map((bin) => {
      const [x, y] = unitToPlot(bin.meanPredicted, bin.observedRate);
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="4" fill="#d5803a"><title>${fmtInt(bin.count)} rows: predicted ${fmt(bin.meanPredicted)}, observed ${fmt(bin.observedRate)}</title></circle>`;
    })
    .join('');
  return svg(
    `${axes('mean predicted probability', 'observed positive rate')}<line x1="${dx0}" y1="${dy0}" x2="${dx1}" y2="${dy1}" stroke="#ccd3db" stroke-dasharray="4"/><polyline fill="none" stroke="#d5803a" points="${line}"/>${dots}`,
    'Calibration plot',
  );
}
