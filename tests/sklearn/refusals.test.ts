import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { exitCodeFor } from '../../main/cli/output.ts';
import { toAppErrorData } from '../../main/errors.ts';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadPickleBytes, loadPickleFile } from '../../main/sklearn/pickle/index.ts';
import { fixtureDir } from './parity-helpers.ts';

async function convertFixture(file: string) {
  return convertSklearnValue(await loadPickleFile(path.join(fixtureDir, file)));
}

describe('what the converter refuses, and how it says so', () => {
  test.each([
    [
      'unsupported_svc.pkl',
      /^ModelDock can't convert sklearn\.svm\._classes\.SVC yet \(supported: Pipeline, /,
    ],
    [
      'unsupported_inside_column_transformer.pkl',
      /^ModelDock can't convert sklearn\.preprocessing\._discretization\.KBinsDiscretizer yet \(supported: /,
    ],
    ['unsupported_sgd_hinge.pkl', /SGDClassifier: loss='hinge' gives no probabilities/],
    [
      'unsupported_transformer_only.pkl',
      /^This file holds only a StandardScaler, not a model: open the model file saved beside it/,
    ],
    ['unsupported_plain_dict.pkl', /holds plain data, not a scikit-learn model/],
    ['unsupported_feature_named_label.pkl', /its feature "label" has the name of an output/],
  ])('%s', async (file, message) => {
    await expect(convertFixture(file)).rejects.toMatchObject({ code: 'unsupported-model', message });
  });

  test('a harmless scikit-learn model naming a helper the reader does not load is unsupported, not malicious', async () => {
    const error = await loadPickleFile(path.join(fixtureDir, 'unsupported_knn_kd_tree.pkl')).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({
      code: 'unsupported-model',
      message: expect.stringMatching(
        /^ModelDock cannot read this scikit-learn model: it uses sklearn\.neighbors\._kd_tree\.newObj, which ModelDock does not load\. Supported: Pipeline, .*LogisticRegression/,
      ),
      details: { global: 'sklearn.neighbors._kd_tree.newObj' },
    });
    expect((error as Error).message).not.toMatch(/refused|not model data/);
  });

  test('the refusal lists every supported class', async () => {
    const error = await convertFixture('unsupported_svc.pkl').catch((caught: unknown) => caught);
    const supported = (error as { details: { supported: string[] } }).details.supported;
    expect(supported).toEqual(
      expect.arrayContaining([
        'DictVectorizer',
        'ColumnTransformer',
        'LogisticRegression',
        'RandomForestClassifier',
      ]),
    );
  });
});

describe('unsupported is not hostile', () => {
  /** A protocol-2 pickle of `module.name()` with an empty state: the shape every estimator has. */
  const instanceOf = (module: string, name: string) =>
    new Uint8Array([0x80, 0x02, ...new TextEncoder().encode(`c${module}\n${name}\n)\x81}b.`)]);

  test.each([
    ['xgboost.sklearn', 'XGBRanker'],
    ['xgboost.sklearn', 'XGBRFClassifier'],
    ['lightgbm.sklearn', 'LGBMClassifier'],
    ['catboost.core', 'CatBoostClassifier'],
  ])('%s.%s is a model ModelDock cannot convert yet, exit 3, not a refusal', (module, name) => {
    let error: unknown;
    try {
      loadPickleBytes(instanceOf(module, name));
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      code: 'unsupported-model',
      message: expect.stringMatching(
        new RegExp(
          `^ModelDock can't convert ${module.replace('.', '\\.')}\\.${name} yet \\(supported: Pipeline, `,
        ),
      ),
    });
    expect(exitCodeFor(toAppErrorData(error))).toBe(3);
    expect((error as Error).message).not.toMatch(/refused|not model data/);
  });

  test.each([
    ['posix', 'system'],
    ['builtins', 'eval'],
    ['xgboost.core', '_load_lib'],
  ])('%s.%s stays refused as never model data', (module, name) => {
    expect(() => loadPickleBytes(instanceOf(module, name))).toThrow(
      expect.objectContaining({
        code: 'refused-pickle',
        message: `refused: the file calls ${module}.${name}, which is not model data`,
      }),
    );
  });
});
