// The exported service scores the requests it reads in the same turn of the event loop in one
// onnxruntime run (assets/bundle/server/request-batcher.js). Each request must still get exactly the
// answer it gets alone: the batcher hands every request its own rows' predictions, a request whose rows
// make the run fail fails alone, and a row scores the same in a run of 1 or of many (ModelDock pads
// every run: tests/core/batch-invariance.test.ts).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAppServices } from '../../main/services.ts';
import {
  bundleTemplate,
  guidePayload,
  linkDependencies,
  postJson,
  type RunningService,
  repoRoot,
  runUntilExit,
  sampleModel,
  startService,
  tempDir,
} from './helpers.ts';

interface Batcher<P> {
  score(rows: object[]): Promise<P[]>;
}
type BatcherClass = new <P>(
  scoreRows: (rows: object[]) => Promise<P[]>,
  options: { maxRows: number },
) => Batcher<P>;

let RequestBatcher: BatcherClass;

beforeAll(async () => {
  const url = pathToFileURL(path.join(bundleTemplate, 'server', 'request-batcher.js')).href;
  ({ RequestBatcher } = (await import(url)) as { RequestBatcher: BatcherClass });
});

/** A scorer whose prediction of a row is the row's id, recording the rows of each run. */
function recordingScorer(failOn?: string) {
  const runs: string[][] = [];
  const scoreRows = async (rows: object[]) => {
    const ids = rows.map((row) => (row as { id: string }).id);
    runs.push(ids);
    if (failOn && ids.includes(failOn)) throw new Error(`cannot score ${failOn}`);
    return ids.map((id) => `prediction of ${id}`);
  };
  return { runs, scoreRows };
}

const rowsOf = (...ids: string[]) => ids.map((id) => ({ id }));

describe('RequestBatcher', () => {
  it('scores the requests of one turn in one run and gives each its own predictions, in order', async () => {
    const { runs, scoreRows } = recordingScorer();
    const batcher = new RequestBatcher(scoreRows, { maxRows: 100 });
    const answers = await Promise.all([
      batcher.score(rowsOf('a1')),
      batcher.score(rowsOf('b1', 'b2', 'b3')),
      batcher.score(rowsOf('c1')),
    ]);
    expect(runs).toEqual([['a1', 'b1', 'b2', 'b3', 'c1']]);
    expect(answers).toEqual([
      ['prediction of a1'],
      ['prediction of b1', 'prediction of b2', 'prediction of b3'],
      ['prediction of c1'],
    ]);
    // A later turn is a run of its own.
    expect(await batcher.score(rowsOf('d1'))).toEqual(['prediction of d1']);
    expect(runs).toHaveLength(2);
  });

  it('a request whose rows make the run fail fails alone; the others are answered', async () => {
    const { runs, scoreRows } = recordingScorer('bad');
    const batcher = new RequestBatcher(scoreRows, { maxRows: 100 });
    const [first, failing, last] = await Promise.allSettled([
      batcher.score(rowsOf('a1')),
      batcher.score(rowsOf('bad', 'b2')),
      batcher.score(rowsOf('c1')),
    ]);
    expect(first).toEqual({ status: 'fulfilled', value: ['prediction of a1'] });
    expect(failing).toMatchObject({ status: 'rejected', reason: { message: 'cannot score bad' } });
    expect(last).toEqual({ status: 'fulfilled', value: ['prediction of c1'] });
    expect(runs).toEqual([['a1', 'bad', 'b2', 'c1'], ['a1'], ['bad', 'b2'], ['c1']]);
  });

  it('runs at most maxRows rows at a time; a request of maxRows rows or more runs by itself', async () => {
    const { runs, scoreRows } = recordingScorer();
    const batcher = new RequestBatcher(scoreRows, { maxRows: 4 });
    const answers = await Promise.all([
      batcher.score(rowsOf('a1', 'a2')),
      batcher.score(rowsOf('b1', 'b2')),
      batcher.score(rowsOf('c1')),
      batcher.score(rowsOf('d1', 'd2', 'd3', 'd4', 'd5')),
    ]);
    expect(runs.every((run) => run.length <= 4 || run[0] === 'd1')).toBe(true);
    expect(runs).toContainEqual(['d1', 'd2', 'd3', 'd4', 'd5']);
    expect(runs.flat().sort()).toEqual(['a1', 'a2', 'b1', 'b2', 'c1', 'd1', 'd2', 'd3', 'd4', 'd5']);
    expect(answers[2]).toEqual(['prediction of c1']);
    expect(answers[3]).toHaveLength(5);
  });
});

describe('the exported service under concurrent requests', () => {
  let services: ReturnType<typeof createAppServices>;
  let batched: RunningService;
  let unbatched: RunningService;
  let bundleDir: string;

  beforeAll(async () => {
    services = createAppServices({ mode: 'cli', dataDir: await tempDir('batcher-data') });
    const { modelId } = await services.models.open(sampleModel);
    const bundle = await services.exporter.exportBundle(modelId, {
      outDir: path.join(await tempDir('batcher-bundle'), 'bundle'),
    });
    await linkDependencies(bundle.path);
    bundleDir = bundle.path;
    batched = await startService(bundle.path, { WORKERS: '1' });
    unbatched = await startService(bundle.path, { WORKERS: '1', BATCH_REQUESTS: '0' });
  }, 240_000);

  afterAll(async () => {
    await batched?.stop();
    await unbatched?.stop();
    await services?.dispose();
  });

  it('answers each of 64 requests sent at once exactly as one request at a time, batches included', async () => {
    const leads = (await readFile(path.join(repoRoot, 'assets/data/course_lead_scoring.csv'), 'utf8'))
      .trim()
      .split('\n')
      .slice(1, 65)
      .map((line) => {
        const [lead_source, , number_of_courses_viewed, annual_income] = line.split(',');
        return {
          ...guidePayload,
          lead_source: lead_source || 'NA',
          number_of_courses_viewed: Number(number_of_courses_viewed),
          annual_income: annual_income ? Number(annual_income) : 0,
        };
      });
    const payloads: unknown[] = leads.map((lead, index) =>
      index % 8 === 7 ? { instances: [lead, leads[(index + 1) % leads.length]] } : lead,
    );
    const sequential = [];
    for (const payload of payloads) sequential.push(await postJson(`${unbatched.url}/predict`, payload));
    const concurrent = await Promise.all(
      payloads.map((payload) => postJson(`${batched.url}/predict`, payload)),
    );
    expect(sequential.every((answer) => answer.status === 200)).toBe(true);
    expect(concurrent.map((answer) => answer.json)).toStrictEqual(sequential.map((answer) => answer.json));
  });

  it('BATCH_REQUESTS takes 1 or 0 and refuses anything else at start', async () => {
    const result = await runUntilExit(bundleDir, { BATCH_REQUESTS: 'maybe' });
    expect(result.code).not.toBe(0);
    expect(result.output).toContain('Refusing to start: BATCH_REQUESTS must be 1 or 0, got \\"maybe\\"');
  });
});
