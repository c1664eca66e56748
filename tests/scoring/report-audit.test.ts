import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { capacityTable, rankForCapacity } from '../../main/analysis/capacity.ts';
import { modelDecisions } from '../../main/analysis/decisions.ts';
import { scoreHistogram } from '../../main/analysis/score-bins.ts';
import { niceTicks, renderReportHtml } from '../../main/scoring/report-html.ts';
import type { RunRecord, ScoringSummary } from '../../shared/contract/index.ts';

const references = JSON.parse(
  readFileSync(new URL('../fixtures/analysis/decision_references.json', import.meta.url), 'utf8'),
) as { sets: Record<string, { scores: number[]; labels: number[] }> };
const course = references.sets.course as { scores: number[]; labels: number[] };

const decisions = modelDecisions(course.scores, course.labels, 0.5);
const summary: ScoringSummary = {
  rows: 1462,
  scored: 1462,
  failed: 0,
  seconds: 0.2,
  rowsPerSecond: 7310,
  outputPath: '/data/lead-scored.csv',
  addedColumns: ['predicted_label', 'predicted_probability'],
  failuresByReason: {},
  dialect: { encoding: 'utf-8', delimiter: ',', quote: '"', hasHeader: true },
  numberFormat: 'plain',
  unseenCategories: {},
  unseenRows: {},
  report: {
    scoreName: 'probability of 1',
    histogram: [],
    topRows: { columns: [], rows: [] },
    scoreHistogram: scoreHistogram(course.scores, course.labels),
    capacity: capacityTable(rankForCapacity(course.scores, course.labels)),
    metrics: {
      labelColumn: 'converted',
      positiveClass: 1,
      rows: 1462,
      positives: decisions.positives,
      rowsWithoutLabel: 0,
      rocAuc: decisions.rocAuc,
      logLoss: decisions.logLoss ?? 0,
      atThreshold: decisions.atThreshold,
      thresholdTable: [decisions.atThreshold],
      rocCurve: decisions.roc.map((p) => ({ fpr: p.x, tpr: p.y })),
      calibration: decisions.calibration,
      decisions,
    },
  },
};
const audit: RunRecord = {
  id: '20261206T080000-abc123',
  kind: 'batch',
  via: 'app',
  finishedAt: '2026-12-06T08:00:00.000Z',
  models: [
    {
      role: 'model',
      fileName: 'pipeline_v1.bin',
      path: '/m/pipeline_v1.bin',
      sha256: 'a'.repeat(64),
      name: 'pipeline_v1',
      versionLabel: 'v3',
    },
  ],
  input: {
    fileName: 'course_lead_scoring.csv',
    path: '/d/course_lead_scoring.csv',
    sizeBytes: 79413,
    sha256: 'b'.repeat(64),
  },
  settings: {
    numberFormat: 'decimal-comma',
    missing: { annual_income: { mode: 'fill', value: '0' } },
    labelColumn: 'converted',
  },
  metrics: { rows: 1462 },
  outputs: { output: '/data/lead-scored.csv' },
};

describe('the saved report is auditable', () => {
  const html = renderReportHtml(summary, { modelName: 'pipeline_v1.bin', threshold: 0.5, audit });

  test('model name, version and checksum; input file and checksum; every setting', () => {
    for (const text of [
      'pipeline_v1 v3 (pipeline_v1.bin)',
      'a'.repeat(64),
      'course_lead_scoring.csv (79,413 bytes)',
      'b'.repeat(64),
      'Setting: numberFormat',
      'decimal-comma',
      'Setting: missing',
      '{&#34;annual_income&#34;:{&#34;mode&#34;:&#34;fill&#34;,&#34;value&#34;:&#34;0&#34;}}',
      'Output: output',
    ])
      expect(html).toContain(text);
  });

  test('gains, capacity, PR curve and the per-class distribution are in it', () => {
    expect(html).toContain('<h2>Gains and lift by decile</h2>');
    expect(html).toContain('<h2>Capacity: whom to call</h2>');
    expect(html).toContain('aria-label="Precision-recall curve"');
    expect(html).toContain('Score distribution per class');
  });

  test('every chart has tick labels on both axes and axis titles', () => {
    const charts = html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];
    expect(charts.length).toBeGreaterThanOrEqual(5);
    for (const chart of charts) {
      const labels = chart.match(/<text [^>]*text-anchor="(middle|end)"[^>]*>[^<]+<\/text>/g) ?? [];
      expect(labels.filter((label) => label.includes('text-anchor="end"')).length).toBeGreaterThanOrEqual(2); // y ticks
      expect(
        labels.filter((label) => label.includes('font-size="11" text-anchor="middle"')).length,
      ).toBeGreaterThanOrEqual(2); // x ticks
      expect(chart).toContain('font-size="12"'); // axis titles
    }
  });

  test('it prints cleanly', () => {
    expect(html).toContain('@media print');
    expect(html).toMatch(/break-inside:avoid/);
  });

  test('ticks are round numbers', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0.4968, 0.8598)).toEqual([0.5, 0.6, 0.7, 0.8]);
    expect(niceTicks(0, 137)).toEqual([0, 50, 100]);
  });
});
