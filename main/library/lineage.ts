import { createHash } from 'node:crypto';
import type { ModelInput } from '../../shared/contract/index.ts';

/**
 * The key that makes library entries versions of one model: the inputs they take (names, kinds and
 * widths, in name order). A retrained model keeps its inputs; a model over other features starts a new
 * lineage. Types (float vs double) and category lists are left out: retraining may change them.
 */
export function lineageOf(inputs: readonly ModelInput[]): string {
  const signature = [...inputs]
    .map((input) => [input.name, input.kind, input.width] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256').update(JSON.stringify(signature)).digest('hex').slice(0, 16);
}
