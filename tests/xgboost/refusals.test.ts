import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { loadModelValue } from '../../main/sklearn/index.ts';

const fixtures = path.resolve(import.meta.dirname, '../fixtures/xgboost');

async function convertFixture(file: string) {
  return convertSklearnValue(await loadModelValue(path.join(fixtures, file)));
}

describe('XGBoost models ModelDock cannot convert are named, not called hostile', () => {
  test.each([
    [
      'unsupported_xgbranker.pkl',
      /^ModelDock can't convert xgboost\.sklearn\.XGBRanker yet \(supported: Pipeline, .*XGBClassifier/,
    ],
    [
      'unsupported_tweedie.pkl',
      /^ModelDock can't convert this XGBoost model yet: its objective is reg:tweedie \(supported: binary:logistic, binary:logitraw, multi:softprob, multi:softmax, reg:squarederror, reg:logistic, count:poisson\)\.$/,
    ],
    [
      'unsupported_gblinear.pkl',
      /^ModelDock can't convert this XGBoost model yet: it uses booster="gblinear" \(supported: gbtree\)\.$/,
    ],
    [
      'unsupported_categorical.pkl',
      /^ModelDock can't convert this XGBoost model yet: it has categorical features/,
    ],
  ])('%s', async (file, message) => {
    await expect(convertFixture(file)).rejects.toMatchObject({ code: 'unsupported-model', message });
  });

  test('a file holding only the DictVectorizer points to the model saved beside it', async () => {
    await expect(convertFixture('course_dv.bin')).rejects.toMatchObject({
      code: 'unsupported-model',
      message: expect.stringMatching(
        /^This file holds only a DictVectorizer, not a model: open the model file saved beside it/,
      ),
    });
  });
});
