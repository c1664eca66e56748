import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadPickleFile } from '../../main/sklearn/pickle/index.ts';
import { fixtureDir } from './parity-helpers.ts';

async function convertFixture(file: string) {
  return convertSklearnValue(await loadPickleFile(path.join(fixtureDir, file)));
}

describe('what the converter refuses, and how it says so', () => {
  test.each([
    [
      'unsupported_svc.pkl',
      /^ModelDock cannot convert sklearn\.svm\._classes\.SVC yet\. Supported: Pipeline, /,
    ],
    [
      'unsupported_inside_column_transformer.pkl',
      /^ModelDock cannot convert sklearn\.preprocessing\._discretization\.KBinsDiscretizer yet\./,
    ],
    ['unsupported_sgd_hinge.pkl', /SGDClassifier: loss='hinge' gives no probabilities/],
    [
      'unsupported_transformer_only.pkl',
      /it ends with StandardScaler, a transformer, not a model that predicts/,
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
