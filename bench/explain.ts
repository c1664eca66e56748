/**
 * npm run bench:explain — the explanation speed targets (issue 15), a short run:
 *   1. exact, the course's lead model (pipeline_v1.bin, 3 inputs) against 1,000 background rows ≤ 50 ms;
 *   2. exact, a 12-input model against 200 background rows ≤ 2 s;
 *   3. sampled, a 40-input model against 200 background rows ≤ 3 s with every standard error ≤ 0.005.
 * Times are the median of a few runs of the explanation itself (the background is read once, before;
 * reading the 1,462-row lead CSV is printed on its own line).
 *
 *   ORT_DISABLE_TELEMETRY=1 npx tsx bench/explain.ts [--runs 5]
 */
import os from 'node:os';
import path from 'node:path';
import { backgroundFromPayloads, readBackgroundCsv } from '../main/analysis/background.ts';
import { explainRow } from '../main/analysis/explain.ts';
import { seededRandom } from '../main/analysis/shapley.ts';
import { ModelService } from '../main/models/model-service.ts';
import type { Explanation } from '../shared/contract/index.ts';

const repo = path.resolve(import.meta.dirname, '..');
const fixtures = path.join(repo, 'tests/fixtures/explain');
const runsIndex = process.argv.indexOf('--runs');
const runs = runsIndex >= 0 ? Number(process.argv[runsIndex + 1]) : 5;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** A standard normal draw (Box–Muller) from a seeded generator. */
function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

async function timed(explain: () => Promise<Explanation>) {
  const times: number[] = [];
  let last: Explanation | undefined;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    last = await explain();
    times.push(performance.now() - started);
  }
  return { ms: median(times), explanation: last! };
}

function line(name: string, ms: number, target: number, extra = '') {
  const verdict = ms <= target ? 'ok' : 'SLOWER THAN TARGET';
  console.log(
    `${name.padEnd(58)} ${ms.toFixed(1).padStart(8)} ms  (target ≤ ${target} ms, ${verdict})${extra}`,
  );
}

const service = new ModelService({ dataDir: path.join(os.tmpdir(), 'modeldock-bench-explain') });
console.log(
  `bench:explain — median of ${runs} runs, ${os.cpus().length} cores, node ${process.versions.node}`,
);

// 1. The course's lead model against 1,000 of the real leads.
const guide = await service.open(path.join(repo, 'tests/fixtures/sklearn/pipeline_v1.bin'));
const readStarted = performance.now();
const leads = await readBackgroundCsv(guide.inputs, path.join(repo, 'assets/data/course_lead_scoring.csv'));
const readMs = performance.now() - readStarted;
const lead = { lead_source: 'paid_ads', number_of_courses_viewed: 2, annual_income: 79276 };
const exact3 = await timed(() => explainRow(service.get(guide.modelId), lead, leads));
line(`exact, pipeline_v1.bin, 3 inputs × ${leads.rows.length} background rows`, exact3.ms, 50);
console.log(
  `  (reading the background: ${leads.summary.totalRows} rows of the lead CSV in ${readMs.toFixed(1)} ms)`,
);

// 2. Twelve inputs (9 numbers, 3 categories) against 200 rows drawn like its training data.
const twelve = await service.open(path.join(fixtures, 'twelve_inputs.pkl'));
const random = seededRandom(12);
const pick = (values: string[]) => values[Math.floor(random() * values.length)]!;
const twelveRow = () => {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < 9; i++) row[`n${i}`] = normal(random) * (i + 1);
  row.region = pick(['north', 'south', 'east', 'west']);
  row.channel = pick(['ads', 'mail', 'search']);
  row.plan = pick(['free', 'pro']);
  return row;
};
const twelveBackground = backgroundFromPayloads(twelve.inputs, Array.from({ length: 200 }, twelveRow), {
  name: 'generated rows',
});
const exact12 = await timed(() => explainRow(service.get(twelve.modelId), twelveRow(), twelveBackground));
line('exact, 12 inputs × 200 background rows (4,096 coalitions)', exact12.ms, 2000);

// 3. Forty inputs, sampled.
const forty = await service.open(path.join(fixtures, 'forty_inputs.pkl'));
const fortyRow = () =>
  Object.fromEntries(
    Array.from({ length: 40 }, (_, j) => [`x${String(j).padStart(2, '0')}`, normal(random)]),
  );
const fortyBackground = backgroundFromPayloads(forty.inputs, Array.from({ length: 200 }, fortyRow), {
  name: 'generated rows',
});
const sampled40 = await timed(() => explainRow(service.get(forty.modelId), fortyRow(), fortyBackground));
const worstError = Math.max(...sampled40.explanation.contributions.map((c) => c.standardError ?? 0));
line(
  `sampled, 40 inputs × 200 background rows, ${sampled40.explanation.permutations} permutations`,
  sampled40.ms,
  3000,
  `; largest standard error ${worstError.toFixed(4)} (target ≤ 0.005, ${worstError <= 0.005 ? 'ok' : 'ABOVE TARGET'})`,
);
await service.closeAll();
