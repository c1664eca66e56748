/**
 * Explains one prediction: the payload rules of main/models, the batch engine's session predictor
 * (the same feeds and output reading as every other prediction), and the Shapley computation of
 * shapley.ts. What is explained is the number ModelDock reports for the row: the positive class's
 * probability (binary), the chosen or predicted class's probability (multiclass), or the value.
 */

import type {
  Contribution,
  ExplainTarget,
  Explanation,
  ModelInfo,
  ModelInput,
} from '../../shared/contract/index.ts';
import { describeDrivers } from '../../shared/explain-text.ts';
import { AppError } from '../errors.ts';
import {
  type CoercedRow,
  checkPayload,
  type FieldValue,
  type UnknownFieldsPolicy,
} from '../models/payload.ts';
import type { ModelSession } from '../models/session-host.ts';
import { createSessionPredictor } from '../scoring/session-predictor.ts';
import type { BatchPredictions, InputColumns } from '../scoring/types.ts';
import type { BackgroundRows } from './background.ts';
import { type RowEvaluator, type ShapleyOptions, shapleyValues } from './shapley.ts';

/** What explaining needs of a model: its description (as ModelInfo or a bundle's manifest gives it) and a session. */
export interface ExplainableModel {
  info: Pick<ModelInfo, 'inputs' | 'outputs' | 'task' | 'classLabels' | 'positiveClass'> & {
    file: Pick<ModelInfo['file'], 'fileName'>;
  };
  session: ModelSession;
}

export interface ExplainRowOptions
  extends Pick<ShapleyOptions, 'maxExact' | 'permutations' | 'rowsPerRun' | 'signal'> {
  /** Classifiers: the class whose probability is explained (default: positive class / predicted class). */
  classLabel?: string | number;
  /** Classifiers: explain log(p / (1 − p)) instead of p. */
  scale?: 'probability' | 'log-odds';
  unknownFields?: UnknownFieldsPolicy;
}

type ModelPredictor = (columns: Record<string, FieldValue[]>, rowCount: number) => Promise<BatchPredictions>;

/** Rows given as columns (input name → rowCount × width values) through the batch engine's predictor. */
export function modelPredictor(model: ExplainableModel): ModelPredictor {
  const { inputs } = model.info;
  const mapping = inputs.map((input) => ({
    input: input.name,
    kind: input.kind,
    columns: [],
    expectedNames: [],
  }));
  const predict = createSessionPredictor(model.session, model.info, mapping);
  return (columns, rowCount) =>
    predict(inputs.map((input) => columns[input.name]!) as InputColumns, rowCount);
}

/** What is explained for this model and row, and how to read it from a batch of predictions. */
export function chooseTarget(
  info: ExplainableModel['info'],
  explained: BatchPredictions,
  options: Pick<ExplainRowOptions, 'classLabel' | 'scale'> = {},
): { target: ExplainTarget; read: (predictions: BatchPredictions, row: number) => number | undefined } {
  const classes = info.classLabels ?? [];
  const isClassifier =
    info.task === 'binary-classification' ||
    info.task === 'multiclass-classification' ||
    (classes.length > 0 && explained.classProbability(0, 0) !== undefined);
  const scale = options.scale ?? 'probability';
  if (!isClassifier) {
    if (explained.value(0) === undefined) {
      throw new AppError(
        'unsupported-model',
        `${info.file.fileName} has no probability or value output to explain.`,
      );
    }
    if (options.classLabel !== undefined)
      throw new AppError(
        'bad-request',
        `${info.file.fileName} is a regressor; it has no classes to choose from.`,
      );
    if (options.scale === 'log-odds')
      throw new AppError(
        'bad-request',
        'Log-odds apply to a classifier’s probability, not to a regressor’s value.',
      );
    return { target: { kind: 'value', scale: 'value' }, read: (p, row) => p.value(row) };
  }
  let index: number;
  let kind: ExplainTarget['kind'] = 'class';
  if (options.classLabel !== undefined) {
    index = classes.findIndex((label) => String(label) === String(options.classLabel));
    if (index < 0) {
      throw new AppError(
        'bad-request',
        `${info.file.fileName} has no class ${JSON.stringify(options.classLabel)} (its classes are ${classes.join(', ')}).`,
      );
    }
  } else if (info.task === 'binary-classification' && info.positiveClass !== undefined) {
    index = classes.findIndex((label) => String(label) === String(info.positiveClass));
    kind = 'positive-class';
  } else {
    const predicted = explained.label(0);
    index = classes.findIndex((label) => String(label) === String(predicted));
  }
  if (index < 0 || explained.classProbability(0, index) === undefined) {
    throw new AppError('unsupported-model', `${info.file.fileName} has no class probabilities to explain.`);
  }
  if (
    kind === 'class' &&
    info.task === 'binary-classification' &&
    String(classes[index]) === String(info.positiveClass)
  )
    kind = 'positive-class';
  const probability = (p: BatchPredictions, row: number) => p.classProbability(row, index);
  return {
    target: { kind, classLabel: classes[index]!, scale },
    read:
      scale === 'log-odds'
        ? (p, row) => {
            const q = probability(p, row);
            return q === undefined ? undefined : Math.log(q) - Math.log1p(-q);
          }
        : probability,
  };
}

/** The model's explained number per row, refusing rows where it is missing or not finite. */
function targetEvaluator(
  predict: ModelPredictor,
  read: (predictions: BatchPredictions, row: number) => number | undefined,
  target: ExplainTarget,
): RowEvaluator {
  return async (columns, rowCount) => {
    const predictions = await predict(columns, rowCount);
    const out = new Float64Array(rowCount);
    for (let row = 0; row < rowCount; row++) {
      const value = read(predictions, row);
      if (value === undefined || !Number.isFinite(value)) {
        const why =
          target.scale === 'log-odds'
            ? 'a probability of exactly 0 or 1 has no finite log-odds; explain the probability instead'
            : `the model gave ${value} for a mixed row`;
        throw new AppError('unsupported-model', `ModelDock cannot explain this prediction: ${why}.`);
      }
      out[row] = value;
    }
    return out;
  };
}

/** The payload's value of an input as shown beside its contribution: null where it was left out. */
function shownValue(
  input: ModelInput,
  payload: Record<string, unknown>,
  row: CoercedRow,
): Contribution['value'] {
  const raw = payload[input.name];
  if (raw === undefined || raw === null) return null;
  const values = (row[input.name] ?? []).map((value) =>
    typeof value === 'number' && Number.isNaN(value) ? null : value,
  );
  return input.width === 1 ? (values[0] ?? null) : values;
}

/** Shapley values of one payload's prediction against background rows. */
export async function explainRow(
  model: ExplainableModel,
  payload: unknown,
  background: BackgroundRows,
  options: ExplainRowOptions = {},
): Promise<Explanation> {
  const started = performance.now();
  const check = checkPayload(model.info.inputs, payload, { unknownFields: options.unknownFields });
  if (!check.ok) throw new AppError('invalid-payload', check.message, { issues: check.issues });
  if (check.many || check.rows.length !== 1) {
    throw new AppError('invalid-payload', 'Explain one payload at a time, not {"instances": [...]}.');
  }
  const explanation = await explainCheckedRow(
    model,
    payload as Record<string, unknown>,
    check.rows[0]!,
    background,
    options,
  );
  explanation.warnings = check.warnings;
  explanation.elapsedMs = performance.now() - started;
  return explanation;
}

/**
 * Shapley values of a row the payload rules have already checked (`instance`, from `payload`): for
 * hosts that validate payloads themselves, as the exported service does. `warnings` is left empty.
 */
export async function explainCheckedRow(
  model: ExplainableModel,
  payload: Record<string, unknown>,
  instance: CoercedRow,
  background: BackgroundRows,
  options: Omit<ExplainRowOptions, 'unknownFields'> = {},
): Promise<Explanation> {
  const started = performance.now();
  const { info } = model;
  const predict = modelPredictor(model);
  const single: Record<string, FieldValue[]> = {};
  for (const input of info.inputs) single[input.name] = [...instance[input.name]!];
  const { target, read } = chooseTarget(info, await predict(single, 1), options);
  const result = await shapleyValues(
    info.inputs,
    instance,
    background.rows,
    targetEvaluator(predict, read, target),
    options,
  );
  const contributions = info.inputs.map((input, i): Contribution => {
    const contribution: Contribution = {
      input: input.name,
      value: shownValue(input, payload, instance),
      contribution: result.contributions[i]!,
    };
    if (result.method === 'sampled') contribution.standardError = result.standardErrors[i]!;
    return contribution;
  });
  const explanation: Explanation = {
    value: result.value,
    baseValue: result.baseValue,
    contributions,
    method: result.method,
    target,
    background: background.summary,
    summary: describeDrivers(contributions),
    residual: result.residual,
    evaluatedRows: result.evaluatedRows,
    elapsedMs: 0,
    warnings: [],
  };
  if (result.permutations !== undefined) explanation.permutations = result.permutations;
  explanation.elapsedMs = performance.now() - started;
  return explanation;
}
