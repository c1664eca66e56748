// A model's trees are bounded (issue 18): onnxruntime builds them natively, on the app's thread, when
// the session is created (~335 bytes of peak memory per node), so a forest too large for the 1.3 GB
// budget is refused while converting, and an ONNX file's tree ensembles before onnxruntime sees them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { onnx } from '../../main/models/onnx-model.ts';
import { prepareOnnx } from '../../main/models/prepare-onnx.ts';
import { checkTreeNodes, countTreeNodes, maxTreeNodes } from '../../main/models/tree-node-limit.ts';
import { convertSklearnValue } from '../../main/sklearn/convert/index.ts';
import { TreeEnsembleAttributes } from '../../main/sklearn/convert/tree-ensemble.ts';
import { loadPickleFile } from '../../main/sklearn/pickle/index.ts';

// The limit prepareOnnx applies, lowered per test (the converter's default limit is left alone).
const onnxLimit = vi.hoisted(() => ({ value: undefined as number | undefined }));
vi.mock('../../main/models/tree-node-limit.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../main/models/tree-node-limit.ts')>();
  return {
    ...original,
    checkTreeNodes: (count: number, limit?: number) =>
      original.checkTreeNodes(count, limit ?? onnxLimit.value ?? original.maxTreeNodes),
  };
});

const valid = path.join(import.meta.dirname, '..', 'fixtures', 'pickle', 'valid');

/** node_count and the classes of the fixture's DecisionTreeClassifier, as Python wrote them. */
function pythonTree(): { nodeCount: number; classes: number } {
  const text = readFileSync(path.join(valid, 'tree.json'), 'utf8');
  return {
    nodeCount: Number(/"node_count",(\d+)/.exec(text)![1]),
    classes: Number(/"n_classes_",\{"npscalar":"int64","value":(\d+)\}/.exec(text)![1]),
  };
}

function errorOf(run: () => unknown): AppError {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('no error');
}

/** A complete binary tree of `depth` levels below the root, as scikit-learn numbers nodes (depth first). */
function completeTree(depth: number) {
  const left: number[] = [];
  const right: number[] = [];
  const visit = (level: number): number => {
    const node = left.length;
    left.push(-1);
    right.push(-1);
    if (level < depth) {
      left[node] = visit(level + 1);
      right[node] = visit(level + 1);
    }
    return node;
  };
  visit(0);
  const count = left.length;
  return {
    tree: { left, right, feature: new Array(count).fill(0), threshold: new Array(count).fill(0.5) },
    order: Array.from({ length: count }, (_, node) => node),
  };
}

describe('the tree-node limit', () => {
  it('counts what the converter emits: every node once per class', async () => {
    const converted = convertSklearnValue(await loadPickleFile(path.join(valid, 'tree_p4.pkl')));
    const { nodeCount, classes } = pythonTree();
    expect(countTreeNodes(onnx.ModelProto.decode(converted.onnxBytes))).toBe(nodeCount * classes);
  });

  it('lets the converter reach the limit and refuses one node past it', () => {
    const { tree, order } = completeTree(4); // 31 nodes
    const atLimit = new TreeEnsembleAttributes(62);
    atLimit.addTree(tree, order, 0, () => 1);
    atLimit.addTree(tree, order, 1, () => 1);
    const pastLimit = new TreeEnsembleAttributes(61);
    pastLimit.addTree(tree, order, 0, () => 1);
    const error = errorOf(() => pastLimit.addTree(tree, order, 1, () => 1));
    expect(error.code).toBe('refused-pickle');
    expect(error.message).toBe(
      "refused: this model's trees have more than 61 nodes, the limit for opening one model (loading them would take more than the 1.3 GB and 15 s one model may use)",
    );
    expect(error.details).toEqual({ limit: 'tree-nodes', maxTreeNodes: 61 });
  });

  it('names the default limit', () => {
    expect(() => checkTreeNodes(maxTreeNodes)).not.toThrow();
    expect(errorOf(() => checkTreeNodes(maxTreeNodes + 1)).message).toMatch(
      /^refused: this model's trees have more than 2,500,000 nodes, the limit for opening one model/,
    );
  });

  it('refuses an ONNX file whose tree ensembles are past the limit, before onnxruntime', async () => {
    const converted = convertSklearnValue(await loadPickleFile(path.join(valid, 'tree_p4.pkl')));
    const { nodeCount, classes } = pythonTree();
    onnxLimit.value = nodeCount * classes;
    expect(prepareOnnx(converted.onnxBytes, 'tree.onnx').inspection.inputs.length).toBeGreaterThan(0);
    onnxLimit.value = nodeCount * classes - 1;
    expect(errorOf(() => prepareOnnx(converted.onnxBytes, 'tree.onnx')).details).toEqual({
      limit: 'tree-nodes',
      maxTreeNodes: nodeCount * classes - 1,
    });
    onnxLimit.value = undefined;
  });
});
