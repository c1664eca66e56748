// Batch scoring with ModelDock's own engine (score.generated.js, generated from the app's
// main/scoring by scripts/build-bundle-runtime.mjs): the same rows, scores, columns and errors file as
// `modeldock score` on the same CSV.
//
//   node server/score.js <in.csv> <out-dir>      score the file (or, in a Kubernetes Indexed Job, the
//                                                 shard JOB_COMPLETION_INDEX of JOB_COMPLETION_COUNT)
//   node server/score.js --combine <out-dir>     join the parts into scored.csv and write _SUCCESS
//
// Without the Job's variables the whole file is one shard: score, then --combine (k8s/batch-job.yaml).
// First: onnxruntime must see ORT_DISABLE_TELEMETRY before it loads.
import './no-telemetry.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InferenceSession } from 'onnxruntime-node';
import { readServedModel, verifyModelFiles } from './integrity.js';
import {
  batchSessionOptions,
  combineShards,
  createSessionPredictor,
  modelShape,
  scoreShard,
  shardFromEnv,
} from './score.generated.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const usage =
  'usage: node server/score.js <in.csv> <out-dir>   (shard JOB_COMPLETION_INDEX of JOB_COMPLETION_COUNT when set)\n' +
  '       node server/score.js --combine <out-dir>';

async function main(argv) {
  if (argv[0] === '--combine') {
    if (argv.length !== 2) throw new UsageError(usage);
    const manifest = await combineShards(path.resolve(argv[1]));
    console.log(
      `combined ${manifest.parts.length} part(s): ${manifest.rows} rows (${manifest.scored} scored, ${manifest.failed} failed) into ${path.join(argv[1], manifest.output)}`,
    );
    return;
  }
  if (argv.length !== 2 || argv[0].startsWith('-')) throw new UsageError(usage);
  const { index, count } = shardFromEnv(process.env);
  const manifest = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8'));
  // The same integrity check the service makes before it serves: never score in the name of a model
  // whose file was changed after export.
  const served = await readServedModel(root, manifest);
  const problems = served.problem ? [served.problem] : await verifyModelFiles(root, manifest);
  if (problems.length > 0) {
    const problem = problems[0];
    throw new Error(
      `Refusing to score: ${problem.file} does not match manifest.json (expected sha256 ${problem.expected}, found ${problem.actual ?? problem.reason}).`,
    );
  }
  const model = modelShape(manifest.model);
  const session = await InferenceSession.create(served.bytes, batchSessionOptions);
  try {
    const counts = await scoreShard({
      model,
      inputPath: path.resolve(argv[0]),
      outDir: path.resolve(argv[1]),
      index,
      count,
      predictFor: (mapping) => createSessionPredictor(session, model, mapping),
    });
    console.log(
      `shard ${index} of ${count}: ${counts.rows} rows from line ${counts.firstLine} (${counts.scored} scored, ${counts.failed} failed)`,
    );
  } finally {
    await session.release();
  }
}

class UsageError extends Error {}

main(process.argv.slice(2)).catch((error) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(error instanceof UsageError ? 2 : 1);
});
