import { describe, expect, test } from 'vitest';
import { ReportAccumulator } from '../../main/scoring/report-accumulator.ts';
import { renderReportHtml } from '../../main/scoring/report-html.ts';
import type { DriftReport, FeatureDrift, ScoringSummary } from '../../shared/contract/index.ts';

function summary(): ScoringSummary {
  const accumulator = new ReportAccumulator({
    scoreName: 'probability of 1',
    probabilityScale: true,
    columns: ['name', 'converted'],
    label: { column: 'converted', positiveClass: 1, classLabels: [0, 1] },
  });
  const rows: Array<[number, string, string]> = [
    [0.9, '<script>alert(1)</script>', '1'],
    [0.7, 'b', '0'],
    [0.4, 'c', '1'],
    [0.1, 'd', '0'],
    [0.5, 'e', ''],
  ];
  rows.forEach(([score, name, label], i) => {
    accumulator.add(score, i + 2, label, () => [name, label], i);
  });
  return {
    rows: 5,
    scored: 5,
    failed: 0,
    seconds: 0.1,
    rowsPerSecond: 50,
    outputPath: '/tmp/out.csv',
    addedColumns: ['predicted_label', 'predicted_probability'],
    failuresByReason: {},
    dialect: { encoding: 'utf-8', delimiter: ',', quote: '"', hasHeader: true },
    numberFormat: 'plain',
    report: accumulator.finish(0.5),
    unseenCategories: {},
    unseenRows: {},
  };
}

describe('report', () => {
  test('the accumulator keeps top rows in order and skips rows without a label for metrics', () => {
    const report = summary().report;
    expect(report.topRows.rows.map((row) => row.score)).toEqual([0.9, 0.7, 0.5, 0.4, 0.1]);
    expect(report.metrics).toMatchObject({ rows: 4, positives: 2, rowsWithoutLabel: 1, rocAuc: 0.75 });
    expect(report.histogram.reduce((sum, bin) => sum + bin.count, 0)).toBe(5);
  });

  test('the HTML is self-contained and escapes cell text', () => {
    const html = renderReportHtml(summary(), { modelName: 'lead_scoring.onnx', threshold: 0.3 });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html.match(/<svg/g)).toHaveLength(3); // histogram, ROC, calibration
    expect(html).toContain('Confusion matrix at threshold 0.3');
  });

  test('without a drift report the HTML has no drift section', () => {
    const html = renderReportHtml(summary(), { modelName: 'm.onnx' });
    expect(html).not.toContain('Drift against the reference');
    expect(html).not.toContain('PSI');
  });

  test('with a drift report the HTML has its PSI table: inputs, bands, unseen and empty counts, score shift', () => {
    const feature = (
      over: Partial<FeatureDrift> & Pick<FeatureDrift, 'name' | 'psi' | 'band'>,
    ): FeatureDrift => ({
      kind: 'numeric',
      bins: [],
      missingReference: 0,
      missingCurrent: 0,
      ...over,
    });
    const drift: DriftReport = {
      referenceRows: 1462,
      currentRows: 1000,
      epsilon: 1e-4,
      features: [
        feature({
          name: 'lead_source',
          kind: 'categorical',
          psi: 0.31234,
          band: 'shifted',
          unseenCount: 17,
          unseenCategories: ['<img src=x onerror=alert(1)>', 'tiktok'],
          missingCurrent: 4,
          missingReference: 128,
        }),
        feature({ name: 'annual_income', psi: 0.0421, band: 'stable', missingCurrent: 9 }),
      ],
      score: feature({ name: 'predicted_probability', psi: 0.1507, band: 'moderate' }),
    };
    const html = renderReportHtml(summary(), { modelName: 'm.onnx', drift });
    const section = html.slice(html.indexOf('<h2>Drift against the reference</h2>'));
    expect(section).toContain(
      "1,000 scored rows against the reference's 1,462; bands stable &#60; 0.1 ≤ moderate &#60; 0.25 ≤ shifted.",
    );
    const rows = [...section.matchAll(/<tr>(.*?)<\/tr>/g)]
      .slice(0, 4)
      .map((match) => [...match[1]!.matchAll(/<t[dh]>(.*?)<\/t[dh]>/g)].map((cell) => cell[1]));
    expect(rows).toEqual([
      [
        'Input',
        'PSI',
        'Band',
        'Rows with unseen categories',
        'Empty cells (scored)',
        'Empty cells (reference)',
      ],
      ['lead_source', '0.312', 'shifted', '17 (&#60;img src=x onerror=alert(1)&#62;, tiktok)', '4', '128'],
      ['annual_income', '0.042', 'stable', '—', '9', '0'],
      ['score distribution (predicted_probability)', '0.151', 'moderate', '—', '0', '0'],
    ]);
    expect(html).not.toContain('<img');
  });
});
