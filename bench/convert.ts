// npm run bench:convert — scikit-learn → ONNX conversion time (not a test: prints figures).
//   A 45-feature DictVectorizer + LogisticRegression pipeline (target ≤ 50 ms) and a 100-tree
//   RandomForest on the lead data (target ≤ 1 s): safe pickle load + conversion, first in the
//   process and the median of later runs, then parity with scikit-learn on every row.
//   The pickles are made by `/usr/bin/python3 scripts/fixtures/sklearn/make_sklearn_fixtures.py
//   --bench <dir>` (run here when missing; they are too big to commit).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { convertSklearnValue } from '../main/sklearn/convert/index.ts';
import { loadPickleFile } from '../main/sklearn/pickle/index.ts';
import { feedsFor, labelsOf, maxDifference, readManifest } from '../tests/sklearn/parity-helpers.ts';

const benchDir = process.env.MODELDOCK_BENCH_DIR ?? path.join(os.tmpdir(), 'modeldock-bench-sklearn');
const generator = path.resolve(import.meta.dirname, '../scripts/fixtures/sklearn/make_sklearn_fixtures.py');
const targets: Record<string, number> = { bench_dv45_logreg: 50, bench_forest100: 1000 };
const runs = 10;

const ms = (value: number) => `${value.toFixed(1)} ms`;
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function timeConversion(file: string) {
  const t0 = performance.now();
  const value = await loadPickleFile(file);
  const t1 = performance.now();
  const converted = convertSklearnValue(value);
  const t2 = performance.now();
  return { load: t1 - t0, convert: t2 - t1, total: t2 - t0, converted };
}

async function main() {
  if (!existsSync(path.join(benchDir, 'expected.json'))) {
    console.log(`making the benchmark pickles in ${benchDir} …`);
    execFileSync('/usr/bin/python3', [generator, '--bench', benchDir], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const manifest = readManifest(benchDir);
  let allOk = true;
  for (const model of manifest.models) {
    const file = path.join(benchDir, model.files[0]!);
    const cold = await timeConversion(file);
    const warm = [];
    for (let i = 0; i < runs; i++) warm.push(await timeConversion(file));
    const total = median(warm.map((run) => run.total));
    const target = targets[model.name] ?? Number.POSITIVE_INFINITY;
    const session = await ort.InferenceSession.create(cold.converted.onnxBytes);
    const outputs = await session.run(feedsFor(session, model));
    const difference = maxDifference(model.probabilities!, outputs.probabilities!.data as Float64Array);
    const labelsMatch = JSON.stringify(labelsOf(outputs.label!)) === JSON.stringify(model.labels);
    await session.release();
    const rows = model.probabilities!.length;
    const ok = total <= target && difference <= 1e-6 && labelsMatch;
    allOk &&= ok;
    console.log(
      `${model.name} (${cold.converted.steps.join(' → ')}, ${cold.converted.onnxBytes.length} ONNX bytes)`,
    );
    console.log(`  first in process: ${ms(cold.total)} (load ${ms(cold.load)}, convert ${ms(cold.convert)})`);
    console.log(
      `  median of ${runs}:     ${ms(total)} (load ${ms(median(warm.map((run) => run.load)))}, convert ${ms(median(warm.map((run) => run.convert)))}) — target ≤ ${target} ms`,
    );
    console.log(
      `  parity on ${rows} rows: max |Δp| ${difference.toExponential(2)}, labels ${labelsMatch ? 'all equal' : 'DIFFER'} — ${ok ? 'ok' : 'MISSED'}`,
    );
  }
  process.exitCode = allOk ? 0 : 1;
}

await main();
