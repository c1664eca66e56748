import type { GainsRow } from '../../shared/contract/index.ts';
import { binaryCurve, type LabelledScores } from './labelled-scores.ts';

/**
 * Cumulative gains and lift by decile (or any number of equal groups), the lead-scoring standard: "the
 * top 10 % of leads hold 31 % of conversions, lift 3.1".
 *
 * Rows are ranked by score, highest first; group k ends after round(k · rows / groups) rows. Rows tied on
 * the score across a group's edge can't be told apart by the model, so their conversions are shared pro
 * rata between the groups (the expected count if their order were random), the same way a ROC curve
 * crosses a tie diagonally. The table then depends on the scores and labels only, never on row order.
 */
export function gainsTable(split: LabelledScores, groups = 10): GainsRow[] {
  const rows = split.rows;
  const positives = split.positives.length;
  if (rows === 0 || positives === 0) return [];
  const curve = binaryCurve(split);
  const baseRate = positives / rows;
  const table: GainsRow[] = [];
  let previousRows = 0;
  let previousConversions = 0;
  let k = 0; // first distinct score whose cumulative row count reaches the cut
  for (let group = 1; group <= groups; group++) {
    const cut = group === groups ? rows : Math.floor((group * rows) / groups + 0.5);
    while (k < curve.thresholds.length - 1 && (curve.tps[k] as number) + (curve.fps[k] as number) < cut) k++;
    const throughRows = (curve.tps[k] as number) + (curve.fps[k] as number);
    const beforeTp = k === 0 ? 0 : (curve.tps[k - 1] as number);
    const beforeRows = k === 0 ? 0 : beforeTp + (curve.fps[k - 1] as number);
    const tieRows = throughRows - beforeRows;
    const tiePositives = (curve.tps[k] as number) - beforeTp;
    const cumulativeConversions = cut === 0 ? 0 : beforeTp + (tiePositives * (cut - beforeRows)) / tieRows;
    const groupRows = cut - previousRows;
    const conversions = cumulativeConversions - previousConversions;
    table.push({
      group,
      populationShare: cut / rows,
      rows: groupRows,
      cumulativeRows: cut,
      conversions,
      cumulativeConversions,
      cumulativeGain: cumulativeConversions / positives,
      lift: groupRows === 0 ? 0 : conversions / groupRows / baseRate,
      cumulativeLift: cut === 0 ? 0 : cumulativeConversions / cut / baseRate,
    });
    previousRows = cut;
    previousConversions = cumulativeConversions;
  }
  return table;
}
