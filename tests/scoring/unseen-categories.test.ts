import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { AnalysisService } from '../../main/analysis/analysis-service.ts';
import { renderReportHtml } from '../../main/scoring/report-html.ts';
import { runCliCaptured } from '../helpers/run-cli.ts';
import { leadCsv, sampleModel, scoringFixture } from './helpers.ts';

/**
 * The real lead file with `lead_source = webinar` (a source the sample model was not trained on) on
 * 282 of its 1,462 rows — the first 282 rows that have a lead source. Unseen categories are counted
 * by the one rule in main/models/payload.ts and reported before the run, in the summary, the report,
 * `score --json` and Compare; strict mode makes them row errors.
 */
const webinarRows = 282;
const fill = {
  lead_source: { mode: 'fill', value: 'NA' },
  annual_income: { mode: 'fill', value: '0' },
} as const;

let fx: Awaited<ReturnType<typeof scoringFixture>>;
let input: string;
let webinarLines: number[];

beforeAll(async () => {
  fx = await scoringFixture();
  const [header, ...rows] = readFileSync(leadCsv, 'utf8').trimEnd().split('\n');
  webinarLines = [];
  const changed = rows.map((row, index) => {
    if (webinarLines.length >= webinarRows || row.startsWith(',')) return row;
    webinarLines.push(index + 2); // line 1 is the header
    return row.replace(/^[^,]*/, 'webinar');
  });
  input = fx.file('webinar.csv');
  writeFileSync(input, `${[header, ...changed].join('\n')}\n`);
});
afterAll(async () => {
  await fx.close();
});

describe('unseen categories', () => {
  test('are reported before the run, in the summary and in the report', async () => {
    const check = await fx.scoring.check(fx.setup(input, { missing: fill }));
    expect(check).toMatchObject({
      rows: 1462,
      failingRows: 0,
      unseenCategories: { lead_source: { webinar: webinarRows } },
      unseenRows: { lead_source: webinarRows },
    });
    const summary = await fx.scoring.score({
      ...fx.setup(input, { missing: fill }),
      outputPath: fx.file('webinar-scored.csv'),
      overwrite: true,
      threshold: 0.5,
    });
    expect(summary).toMatchObject({ rows: 1462, scored: 1462, failed: 0 });
    expect(summary.unseenCategories).toEqual({ lead_source: { webinar: webinarRows } });
    const html = renderReportHtml(summary, { modelName: 'lead_scoring.onnx' });
    expect(html).toContain('Categories the model was not trained on');
    expect(html).toMatch(/<td>lead_source<\/td><td>282<\/td><td>“webinar” 282<\/td>/);
  });

  test('score --json has them; --strict-categories makes them row errors at their lines', async () => {
    const fills = ['--fill', 'lead_source=NA', '--fill', 'annual_income=0'];
    const out = fx.file('webinar-cli.csv');
    const counted = await runCliCaptured([
      'score',
      sampleModel,
      input,
      '--out',
      out,
      '--force',
      '--json',
      ...fills,
    ]);
    expect(counted.code).toBe(0);
    expect(JSON.parse(counted.stdout)).toMatchObject({
      scored: 1462,
      failed: 0,
      unseenCategories: { lead_source: { webinar: 282 } },
    });
    const human = await runCliCaptured(['score', sampleModel, input, '--out', out, '--force', ...fills]);
    expect(human.stdout).toContain('282 rows have a lead_source the model was not trained on');

    const strict = await runCliCaptured([
      'score',
      sampleModel,
      input,
      '--out',
      out,
      '--force',
      '--json',
      '--strict-categories',
      ...fills,
    ]);
    expect(strict.code).toBe(0);
    const summary = JSON.parse(strict.stdout);
    expect(summary).toMatchObject({
      scored: 1462 - webinarRows,
      failed: webinarRows,
      unseenCategories: { lead_source: { webinar: 282 } },
    });
    const errors = readFileSync(summary.errorsPath, 'utf8').trimEnd().split('\n').slice(1);
    expect(errors.map((line) => Number(line.split(',')[0]))).toEqual(webinarLines);
    expect(errors[0]).toBe(
      `${webinarLines[0]},lead_source,webinar,is not a category the model was trained on`,
    );
    const check = await fx.scoring.check(fx.setup(input, { missing: fill, unseenCategories: 'fail' }));
    expect(check.failingRows).toBe(webinarRows);
  });

  test('Compare reports the same values, and strict mode fails the same rows', async () => {
    const analysis = new AnalysisService({
      models: fx.models,
      scoring: fx.scoring,
      references: { referenceProfileFor: async () => undefined },
    });
    const request = { ...fx.setup(input, { missing: fill }), modelIdB: fx.info.modelId, threshold: 0.5 };
    const counted = await analysis.compareCsv(request);
    expect(counted.unseenCategories).toEqual({ lead_source: { webinar: webinarRows } });
    expect(counted.compared).toBe(1462);
    const strict = await analysis.compareCsv({ ...request, unseenCategories: 'fail' });
    expect(strict.failed).toBe(webinarRows);
    expect(strict.errors.slice(0, 3).map((error) => error.row)).toEqual(webinarLines.slice(0, 3));
  });
});
