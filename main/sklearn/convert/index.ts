import type { PyValue } from '../pickle/py-values.ts';
import type { ConvertedInput } from './context.ts';
import { buildGraph, supportedClasses } from './convert-pipeline.ts';

export { supportedClasses };

/** metadata_props keys of a converted model (the model service and the CLI read them). */
export const conversionMetadataKeys = {
  convertedFrom: 'modeldock.converted_from',
  sourceSha256: 'modeldock.source_sha256',
  sklearnVersion: 'modeldock.sklearn_version',
  steps: 'modeldock.pipeline_steps',
  featureNames: 'modeldock.feature_names',
  categories: 'modeldock.categories',
  classLabels: 'modeldock.class_labels',
  missingValues: 'modeldock.missing_values',
  /** JSON array of the inputs a payload may leave out (or send as null): see ConvertedInput.optional. */
  optionalInputs: 'modeldock.optional_inputs',
} as const;

export interface ConvertedModel {
  onnxBytes: Uint8Array;
  steps: string[];
  sklearnVersion?: string;
  inputs: ConvertedInput[];
  task: 'classification' | 'regression';
  classLabels?: (string | number)[];
}

/** opsets: TreeEnsemble needs ai.onnx.ml 5, released with ai.onnx 21. */
const opsets = { '': 21, 'ai.onnx.ml': 5 };

/** Converts a safely loaded scikit-learn estimator, pipeline or (transformer, model) tuple to ONNX. */
export function convertSklearnValue(
  root: PyValue,
  options: { sourceSha256?: string; extraMetadata?: Record<string, string> } = {},
): ConvertedModel {
  const { ctx, outputs, inputs, sklearnVersion } = buildGraph(root);
  const categories = Object.fromEntries(
    inputs.filter((i) => i.categories).map((i) => [i.name, i.categories]),
  );
  // A Booster alone (xgb.train, model.json/.ubj) has no scikit-learn part; XGBClassifier does.
  const xgboostOnly = ctx.steps.length === 1 && ctx.steps[0]!.startsWith('Booster ');
  const source = xgboostOnly ? 'xgboost' : 'scikit-learn';
  const sourceText = xgboostOnly ? 'XGBoost' : `scikit-learn${sklearnVersion ? ` ${sklearnVersion}` : ''}`;
  const metadata: Record<string, string> = {
    [conversionMetadataKeys.convertedFrom]: source,
    [conversionMetadataKeys.steps]: JSON.stringify(ctx.steps),
    [conversionMetadataKeys.featureNames]: JSON.stringify(inputs.map((i) => i.name)),
    [conversionMetadataKeys.categories]: JSON.stringify(categories),
    [conversionMetadataKeys.missingValues]:
      'A missing text value is the empty string (an unknown category: contributes nothing); a missing number is NaN.',
    [conversionMetadataKeys.optionalInputs]: JSON.stringify(
      inputs.filter((i) => i.optional).map((i) => i.name),
    ),
  };
  if (options.sourceSha256) metadata[conversionMetadataKeys.sourceSha256] = options.sourceSha256;
  if (sklearnVersion) metadata[conversionMetadataKeys.sklearnVersion] = sklearnVersion;
  if (outputs.classLabels) metadata[conversionMetadataKeys.classLabels] = JSON.stringify(outputs.classLabels);
  Object.assign(metadata, options.extraMetadata);
  const onnxBytes = ctx.builder.encode({
    opsets,
    metadata,
    producerVersion: '0.1.0',
    docString: `Converted by ModelDock from ${sourceText}: ${ctx.steps.join(' → ')}`,
  });
  return {
    onnxBytes,
    steps: ctx.steps,
    inputs,
    task: outputs.task,
    ...(sklearnVersion ? { sklearnVersion } : {}),
    ...(outputs.classLabels ? { classLabels: outputs.classLabels } : {}),
  };
}
