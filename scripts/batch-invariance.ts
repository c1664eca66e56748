// npx tsx scripts/batch-invariance.ts — does a row score the same alone as among other rows?
//   Not a test: a diagnostic of onnxruntime's CPU kernels on every model of the test suite that opens
//   (tests/fixtures/models.json). Try and the exported service's /predict run one row per run; Batch runs
//   many. Elementwise kernels (the logistic and softmax of LinearClassifier and TreeEnsemble, Exp) take a
//   vector path for full blocks of a buffer and another for its tail, and the two can differ in the last
//   bit, so a row's result can depend on how many rows share its run and where it sits. For each model this
//   prints how many of 24 rows differ between "alone" and four batch sizes, as runs are made today and with
//   every run padded to a multiple of PAD rows (copies of its last row; default 16).
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { generatedRow } from '../main/export/samples.ts';
import { createAppServices } from '../main/services.ts';
import { modelRows } from '../tests/helpers/models-table.ts';

const pad = Number(process.env.PAD ?? 16);
const repoRoot = path.resolve(import.meta.dirname, '..');
// One file per model (the other pickle protocols and joblib compressions of a file hold the same model).
const files = [
  ...new Set(
    modelRows
      .filter((row) => (row.reader === undefined && row.predict) || (row.reader === 'sklearn' && !row.error))
      .map((row) => row.file)
      .filter((file) => !/\.(pickle[345]|joblib)\.(pkl|joblib)$/.test(file) && !/joblib-/.test(file)),
  ),
];

const padded = <T>(rows: T[], multiple: number): T[] => {
  const out = [...rows];
  while (out.length % multiple !== 0) out.push(rows[rows.length - 1]!);
  return out;
};

async function main() {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'modeldock-batch-invariance-'));
  const services = createAppServices({ mode: 'cli', dataDir });
  const score = async (modelId: string, rows: Record<string, unknown>[], multiple: number) => {
    const result = await services.models.predict(modelId, { instances: padded(rows, multiple) });
    if (!('predictions' in result)) throw new Error('a batch answered as one row');
    return result.predictions
      .slice(0, rows.length)
      .map((prediction) => JSON.stringify(prediction.probabilities ?? prediction.value));
  };
  const totals = { today: 0, padded: 0 };
  for (const file of files) {
    const info = await services.models.open(path.join(repoRoot, file));
    const rows = Array.from({ length: 24 }, (_, variant) => generatedRow(info.inputs, variant));
    const counts: number[] = [];
    for (const multiple of [1, pad]) {
      const batches = [];
      for (const size of [24, 7, 5, 3])
        batches.push(await score(info.modelId, rows.slice(0, size), multiple));
      let differing = 0;
      for (const [index, row] of rows.entries()) {
        const [alone] = await score(info.modelId, [row], multiple);
        if (batches.some((batch) => batch[index] !== undefined && batch[index] !== alone)) differing++;
      }
      counts.push(differing);
    }
    if (counts[0]! > 0) totals.today++;
    if (counts[1]! > 0) totals.padded++;
    console.log(`${file.padEnd(70)} rows differing: ${counts[0]} today, ${counts[1]} padded to ${pad}`);
    await services.models.close(info.modelId);
  }
  console.log(
    `\n${files.length} models: ${totals.today} give some row another result in a batch than alone today; ${totals.padded} with every run padded to a multiple of ${pad} rows`,
  );
  await services.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
