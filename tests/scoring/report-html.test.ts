import { describe, expect, test } from 'vitest';
import { ReportAccumulator } from '../../main/scoring/report-accumulator.ts';
import { renderReportHtml } from '../../main/scoring/report-html.ts';
import type { ScoringSummary } from '../../shared/contract/index.ts';

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
    accumulator.add(score, i + 2, [name, label], label);
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
    report: accumulator.finish(0.5),
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
});
