// `score --explain` through the scoring service: driver columns equal to Try's explanation of the same
// row, sorted by size; global importance in the summary; an "explaining" progress stage.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { createAppServices } from '../../main/services.ts';
import { scoringSummarySchema } from '../../shared/contract/index.ts';

const repo = path.resolve(import.meta.dirname, '../..');
const guide = path.join(repo, 'tests/fixtures/sklearn/pipeline_v1.bin');
const hundred = path.join(repo, 'tests/fixtures/explain/lead_background_100.csv');
const dir = mkdtempSync(path.join(os.tmpdir(), 'modeldock-explain-run-'));
const services = createAppServices({ mode: 'cli', dataDir: dir });
afterAll(async () => {
  await services.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('batch scoring with explanations', () => {
  test('each row’s top drivers are its explanation’s largest contributions', async () => {
    const info = await services.models.open(guide);
    const background = await services.explainer.background(info.modelId, { backgroundCsv: hundred });
    const outputPath = path.join(dir, 'scored.csv');
    const stages = new Set<string>();
    const summary = scoringSummarySchema.parse(
      await services.scoring.score(
        {
          modelId: info.modelId,
          path: hundred,
          outputPath,
          overwrite: true,
          threshold: 0.5,
          explain: { background },
        },
        { onProgress: (progress) => stages.add(progress.stage) },
      ),
    );
    expect(stages.has('explaining')).toBe(true);
    expect(summary.addedColumns.slice(-6)).toEqual([
      'driver_1',
      'driver_1_contribution',
      'driver_2',
      'driver_2_contribution',
      'driver_3',
      'driver_3_contribution',
    ]);
    const explained = summary.explanations!;
    expect(explained).toMatchObject({ method: 'exact', rows: 100, modelRowsPerRow: 701 });
    expect(explained.inputs).toEqual(info.inputs.map((input) => input.name));
    expect(explained.byDecile).toHaveLength(10);
    const { renderReportHtml } = await import('../../main/scoring/report-html.ts');
    const html = renderReportHtml(summary, { modelName: 'pipeline_v1.bin' });
    expect(html).toContain('<h2>What drives the scores</h2>');
    expect(html).toContain('number_of_courses_viewed');
    // This fixture has no quoted fields: its lines split on commas.
    const lines = readFileSync(outputPath, 'utf8').trim().split('\n');
    const header = lines[0]!.split(',');
    for (const line of lines.slice(1, 6)) {
      const cells = line.split(',');
      const payload = Object.fromEntries(
        info.inputs.map((input) => {
          const cell = cells[header.indexOf(input.name)]!;
          return [input.name, cell === '' ? null : input.kind === 'numeric' ? Number(cell) : cell];
        }),
      );
      const single = await services.explainer.explain(info.modelId, payload, { backgroundCsv: hundred });
      const bySize = [...single.contributions]
        .filter((c) => c.contribution !== 0)
        .sort((a, b) => Math.abs(b.contribution) - Math.abs(a.contribution));
      for (let k = 0; k < 3; k++) {
        expect(cells[header.indexOf(`driver_${k + 1}`)]).toBe(bySize[k]?.input ?? '');
        const written = cells[header.indexOf(`driver_${k + 1}_contribution`)]!;
        if (bySize[k]) expect(Number(written)).toBe(bySize[k]!.contribution);
      }
    }
  });
});
