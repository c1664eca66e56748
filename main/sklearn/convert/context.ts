import { AppError } from '../../errors.ts';
import { OnnxGraphBuilder } from '../onnx-builder.ts';

/** What a graph input carries: text for categorical features, double for numeric ones. */
export type InputType = 'string' | 'double';

/** One column of the data flowing through the graph: a [N,1] tensor. */
export interface Column {
  tensor: string;
  type: InputType;
  /** The original feature (or derived column) name, for messages. */
  name: string;
  /**
   * A pending text imputation: `missing` reads as `fill`. Encoders apply it to their indicator
   * columns, so their category nodes read the graph input directly (where inspectors look for
   * the categories of an input).
   */
  substitute?: { missing: string; fill: string };
}

/**
 * The data between two steps: either the raw inputs not yet read (the first step decides
 * how), separate [N,1] columns, or one [N,F] double matrix.
 */
export type Features =
  | { kind: 'raw'; names?: string[]; orders?: number[] }
  | { kind: 'columns'; columns: Column[] }
  | { kind: 'matrix'; tensor: string; width: number };

/** A graph input of a converted model; `optional` when a missing value (NaN or "") means what it means to scikit-learn. */
export interface ConvertedInput {
  name: string;
  type: InputType;
  categories?: string[];
  optional?: true;
}

/** The converted model's outputs; a feature may not share their names. */
const outputNames = new Set(['label', 'probabilities', 'variable']);

interface InputSpec {
  type: InputType;
  categories?: string[];
  order: number;
  /** How many steps read this input, and how many of them treat a missing value as scikit-learn does. */
  uses: number;
  missingHandled: number;
}

/** Shared state of one conversion: the graph, the inputs it asked for, and what it records. */
export class ConversionContext {
  readonly builder = new OnnxGraphBuilder('sklearn_pipeline');
  readonly steps: string[] = [];
  /**
   * The model reads an entry a sparse step did not store as missing, not as 0: xgboost's
   * DMatrix built from a scipy CSR matrix does. Set when the final model is XGBoost.
   */
  sparseAbsentIsMissing = false;
  /**
   * The features reaching the model are a scipy sparse matrix that stores no zeros (the output of
   * a sparse OneHotEncoder or ColumnTransformer): with sparseAbsentIsMissing, every 0 is missing.
   */
  unstoredZeros = false;
  private readonly inputs = new Map<string, InputSpec>();
  private nextOrder = 0;

  /**
   * The graph input for an original feature, created on first use. `order` places inputs
   * in the order the training data had them (ColumnTransformer), not the order steps ask.
   */
  input(name: string, type: InputType, order?: number): string {
    if (outputNames.has(name)) {
      throw new AppError(
        'unsupported-model',
        `ModelDock cannot convert this model: its feature "${name}" has the name of an output (label, probabilities or variable).`,
      );
    }
    const existing = this.inputs.get(name);
    if (existing) {
      if (existing.type !== type) {
        throw new AppError(
          'unsupported-model',
          `ModelDock cannot convert this pipeline: the feature "${name}" is used both as text and as a number.`,
        );
      }
      existing.uses++;
      return name;
    }
    this.inputs.set(name, { type, order: order ?? 1_000_000 + this.nextOrder++, uses: 1, missingHandled: 0 });
    this.builder.reserveName(name);
    return name;
  }

  setCategories(name: string, categories: readonly string[]): void {
    const spec = this.inputs.get(name);
    if (!spec) return;
    const merged = new Set([...(spec.categories ?? []), ...categories]);
    spec.categories = [...merged];
  }

  /**
   * Records that the step which just read `name` gives its missing marker (NaN for numbers, ""
   * for text) exactly the meaning scikit-learn gives a missing value there: a DictVectorizer's
   * absent key, or a SimpleImputer's missing_values. An input is optional only when every step
   * reading it says so.
   */
  acceptsMissing(name: string): void {
    const spec = this.inputs.get(name);
    if (spec) spec.missingHandled++;
  }

  /** Adds the graph inputs, in training-data order, and returns their descriptions. */
  declareInputs(): ConvertedInput[] {
    const ordered = [...this.inputs.entries()].sort((a, b) => a[1].order - b[1].order);
    for (const [name, spec] of ordered) this.builder.addInput(name, spec.type, ['N', 1]);
    return ordered.map(([name, spec]) => ({
      name,
      type: spec.type,
      ...(spec.categories ? { categories: spec.categories } : {}),
      ...(spec.uses > 0 && spec.missingHandled === spec.uses ? { optional: true as const } : {}),
    }));
  }

  /** Joins columns (all numeric) or passes a matrix through: the [N,F] double matrix a numeric step needs. */
  toMatrix(features: Features, stepName: string): { tensor: string; width: number } {
    if (features.kind === 'matrix') return features;
    if (features.kind === 'raw') throw new AppError('internal', `${stepName} received unread inputs.`);
    const text = features.columns.find((column) => column.type === 'string');
    if (text) {
      throw new AppError(
        'unsupported-model',
        `ModelDock cannot convert this pipeline: the text column "${text.name}" reaches ${stepName}, which needs numbers.`,
      );
    }
    if (features.columns.length === 1) return { tensor: features.columns[0]!.tensor, width: 1 };
    const tensor = this.builder.node(
      'Concat',
      features.columns.map((column) => column.tensor),
      { axis: { kind: 'int', value: 1 } },
      { hint: 'features' },
    );
    return { tensor, width: features.columns.length };
  }

  /** Splits a matrix into [N,1] columns (for encoders that work column by column). */
  toColumns(features: Features, names: (index: number) => string): Column[] {
    if (features.kind === 'columns') return features.columns;
    if (features.kind === 'raw') throw new AppError('internal', 'A step received unread inputs.');
    return Array.from({ length: features.width }, (_, index) => ({
      tensor: this.builder.node(
        'Gather',
        [features.tensor, this.builder.int64s([index], [1])],
        { axis: { kind: 'int', value: 1 } },
        { hint: 'column' },
      ),
      type: 'double' as const,
      name: names(index),
    }));
  }

  /** Concatenates [N,k] double blocks along the feature axis. */
  concat(blocks: string[], hint = 'concat'): string {
    if (blocks.length === 1) return blocks[0]!;
    return this.builder.node('Concat', blocks, { axis: { kind: 'int', value: 1 } }, { hint });
  }
}
