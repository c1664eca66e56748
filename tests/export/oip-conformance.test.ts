// The exported service against the Open Inference Protocol v2 as KServe specifies it: the checks in
// oip-checks.ts (shared with scripts/container-test.sh, which runs them against the same bundles in their
// container image), here against bundles started on this machine.
import path from 'node:path';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { exportBundle } from '../../main/export/bundle-writer.ts';
import { ModelService } from '../../main/models/model-service.ts';
import {
  guidePayload,
  linkDependencies,
  modeldockPredict,
  type RunningService,
  repoRoot,
  sampleModel,
  startService,
  tempDir,
} from './helpers.ts';
import { type OipContext, oipChecks, oipContext } from './oip-checks.ts';

/** A DictVectorizer pipeline: FP64 inputs, every one of which the model may go without. */
const dictModel = path.join(repoRoot, 'tests', 'fixtures', 'sklearn', 'dv_decision_tree.pickle5.pkl');

let models: ModelService;
let lead: RunningService;
let dict: RunningService;
let context: OipContext;

beforeAll(async () => {
  const dataDir = await tempDir('oip-data');
  process.env.MODELDOCK_DATA_DIR = dataDir;
  models = new ModelService({ dataDir });
  const out = await tempDir('oip');
  const leadInfo = await models.open(sampleModel);
  const leadBundle = (
    await exportBundle(models, leadInfo.modelId, { outDir: path.join(out, 'lead'), name: 'lead-scoring' })
  ).path;
  const dictInfo = await models.open(dictModel);
  const dictBundle = (
    await exportBundle(models, dictInfo.modelId, {
      outDir: path.join(out, 'dict'),
      name: 'dict',
      version: '3',
    })
  ).path;
  await linkDependencies(leadBundle);
  await linkDependencies(dictBundle);
  [lead, dict] = await Promise.all([startService(leadBundle), startService(dictBundle)]);
  const expected = await modeldockPredict(sampleModel, guidePayload);
  context = oipContext({
    lead: { url: lead.url, name: 'lead-scoring', version: 'v1', probability: Number(expected.probability) },
    dict: { url: dict.url, name: 'dict', version: '3' },
  });
}, 240_000);

afterAll(async () => {
  await lead?.stop();
  await dict?.stop();
  await models?.closeAll();
});

describe('Open Inference Protocol v2 (KServe REST spec)', () => {
  // In order: the last check holds /openapi.json to every status the earlier ones saw.
  for (const check of oipChecks) it(check.name, () => check.run(context));
});
