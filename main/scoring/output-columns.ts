import { normalizeColumnName } from './column-mapping.ts';
import type { BatchPredictions, ClassLabel, ModelShape } from './types.ts';

/** The prediction columns a model adds to each output row, and how to fill them from a batch. */
export interface PredictionColumns {
  names: string[];
  /** The cells for row `row` of a batch. */
  cells(predictions: BatchPredictions, row: number): string[];
  /**
   * The same cells as CSV text (joined with `delimiter`, each as `formatRow` would write it):
   * a per-row shortcut for binary classifiers, which formats each label once and writes
   * probabilities, plain non-negative numbers, as they are.
   */
  text(
    predictions: BatchPredictions,
    row: number,
    formatRow: (cells: readonly string[]) => string,
    delimiter: string,
  ): string;
  /** The number the report ranks rows by (positive-class or top probability, or the value). */
  score(predictions: BatchPredictions, row: number): number;
  scoreName: string;
  probabilityScale: boolean;
}

/**
 * Binary: predicted_label, predicted_probability (of the positive class). Multiclass: predicted_label
 * and probability_<class> per class. Regression: predicted_value. When a name is taken by an input
 * column (compared as mapping compares names), every added name gets a `modeldock_` prefix, then a
 * number, so the original columns are never shadowed.
 */
export function predictionColumns(
  model: ModelShape,
  existing: string[],
  options: { decimalComma?: boolean; selectThreshold?: number } = {},
): PredictionColumns {
  // A file written with decimal commas (a `;` file read in the "1.234,5" format) gets its numbers back
  // the same way: 0,5336, as the spreadsheet that made it reads them.
  const numberText = options.decimalComma ? decimalCommaText : plainNumberText;
  const classes = model.classLabels ?? [];
  const classKeys = classes.map(String);
  const labelText = (label: ClassLabel | null) => (label === null ? '' : String(label));
  let base: string[];
  let cells: PredictionColumns['cells'];
  let score: PredictionColumns['score'];
  let scoreName: string;
  let probabilityScale = true;
  if (model.task === 'regression') {
    base = ['predicted_value'];
    cells = (p, row) => [numberText(p.value(row))];
    score = (p, row) => p.value(row) ?? Number.NaN;
    scoreName = 'predicted value';
    probabilityScale = false;
  } else if (model.task === 'binary-classification' && model.positiveClass !== undefined) {
    base = ['predicted_label', 'predicted_probability'];
    cells = (p, row) => [labelText(p.label(row)), numberText(p.probability(row))];
    score = (p, row) => p.probability(row) ?? Number.NaN;
    scoreName = `probability of ${String(model.positiveClass)}`;
  } else if (classKeys.length > 0) {
    base = ['predicted_label', ...classKeys.map((key) => `probability_${key}`)];
    cells = (p, row) => [
      labelText(p.label(row)),
      ...classKeys.map((_, k) => numberText(p.classProbability(row, k))),
    ];
    score = (p, row) => {
      let best = 0;
      for (let k = 0; k < classKeys.length; k++) best = Math.max(best, p.classProbability(row, k) ?? 0);
      return best;
    };
    scoreName = 'probability of the predicted class';
  } else {
    base = ['predicted_label'];
    cells = (p, row) => [labelText(p.label(row))];
    score = () => Number.NaN;
    scoreName = 'label';
    probabilityScale = false;
  }
  let text: PredictionColumns['text'] = (p, row, formatRow) => formatRow(cells(p, row));
  if (model.task === 'binary-classification' && model.positiveClass !== undefined) {
    const labels = new Map<ClassLabel | null, string>();
    text = (p, row, formatRow, delimiter) => {
      const label = p.label(row);
      let labelCell = labels.get(label);
      if (labelCell === undefined) {
        labelCell = formatRow([labelText(label)]);
        labels.set(label, labelCell);
      }
      const probability = p.probability(row);
      const probabilityCell =
        probability !== undefined && probability >= 0
          ? numberText(probability)
          : formatRow([numberText(probability)]);
      return `${labelCell}${delimiter}${probabilityCell}`;
    };
  }
  const threshold = options.selectThreshold;
  if (
    threshold !== undefined &&
    model.task === 'binary-classification' &&
    model.positiveClass !== undefined
  ) {
    // `selected`: the rows a capacity picked (score ≥ the threshold it chose; ties at the cut included).
    base = [...base, 'selected'];
    const plainCells = cells;
    const plainText = text;
    const selected = (p: BatchPredictions, row: number) =>
      (p.probability(row) ?? -1) >= threshold ? '1' : '0';
    cells = (p, row) => [...plainCells(p, row), selected(p, row)];
    text = (p, row, formatRow, delimiter) =>
      `${plainText(p, row, formatRow, delimiter)}${delimiter}${selected(p, row)}`;
  }
  return { names: avoidCollisions(base, existing), cells, text, score, scoreName, probabilityScale };
}

export function avoidCollisions(names: string[], existing: string[]): string[] {
  const taken = new Set(existing.map(normalizeColumnName));
  const free = (candidates: string[]) => candidates.every((name) => !taken.has(normalizeColumnName(name)));
  if (free(names)) return names;
  const prefixed = names.map((name) => `modeldock_${name}`);
  if (free(prefixed)) return prefixed;
  for (let n = 2; ; n++) {
    const numbered = prefixed.map((name) => `${name}_${n}`);
    if (free(numbered)) return numbered;
  }
}

/** Shortest text that reads back as the same double, so the output round-trips exactly. */
function plainNumberText(value: number | undefined): string {
  return value === undefined ? '' : String(value);
}

function decimalCommaText(value: number | undefined): string {
  return value === undefined ? '' : String(value).replace('.', ',');
}
