import { AppError } from '../errors.ts';
import { mlDomain, type OnnxModel, type OnnxNode } from './onnx-model.ts';

/**
 * The most tree nodes (interior nodes and leaves, over all trees and classes) one model may have
 * (issue 18: any file opens or is refused within 15 s and 1.3 GB). onnxruntime builds its tree
 * ensemble when the session is created, natively and on the calling thread, at ~335 bytes of peak
 * memory and ~0.7 s per million nodes: a 300-tree RandomForest on 30,000 rows (~2 million nodes)
 * opens at ~1 GB, one on 100,000 rows (~7 million) would need ~3 GB and stall the app for seconds.
 * Counted while converting, and in an ONNX file's tree ensembles, before onnxruntime sees them.
 */
export const maxTreeNodes = 2_500_000;

/** Refuses a model whose trees have more than `limit` nodes, naming the limit. */
export function checkTreeNodes(count: number, limit: number = maxTreeNodes): void {
  if (count <= limit) return;
  throw new AppError(
    'refused-pickle',
    `refused: this model's trees have more than ${limit.toLocaleString('en-US')} nodes, the limit for opening one model (loading them would take more than the 1.3 GB and 15 s one model may use)`,
    { limit: 'tree-nodes', maxTreeNodes: limit },
  );
}

/** How many attribute entries an ONNX node's `name` attribute holds (ints, floats or strings). */
function entries(node: OnnxNode, name: string): number {
  const attribute = node.attribute?.find((candidate) => candidate.name === name);
  if (!attribute) return 0;
  return Math.max(attribute.ints?.length ?? 0, attribute.floats?.length ?? 0, attribute.strings?.length ?? 0);
}

/**
 * The tree nodes of an ONNX graph's tree ensembles, as onnxruntime builds them: interior nodes and
 * leaves of TreeEnsemble (ai.onnx.ml 5), every node of TreeEnsembleClassifier/Regressor (which lists
 * its leaves among its nodes).
 */
export function countTreeNodes(model: OnnxModel): number {
  let count = 0;
  for (const node of model.graph?.node ?? []) {
    if (node.domain !== mlDomain) continue;
    if (node.opType === 'TreeEnsemble')
      count += entries(node, 'nodes_featureids') + entries(node, 'leaf_targetids');
    else if (node.opType === 'TreeEnsembleClassifier' || node.opType === 'TreeEnsembleRegressor')
      count += entries(node, 'nodes_nodeids');
  }
  return count;
}
