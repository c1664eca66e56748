import { checkTreeNodes, maxTreeNodes } from '../../models/tree-node-limit.ts';
import type { Attribute } from '../onnx-builder.ts';

/** A fitted binary tree as flat arrays indexed by node; `left[node] === -1` marks a leaf. */
export interface BinaryTree {
  left: ArrayLike<number>;
  right: ArrayLike<number>;
  feature: ArrayLike<number>;
  /** The split value of an interior node (other nodes' entries are not read). */
  threshold: ArrayLike<number>;
  /** 1 where a missing (NaN) value goes left, the way the true branch goes; absent: never. */
  missingGoesLeft?: ArrayLike<number>;
}

/** How a node compares: scikit-learn goes left when x <= threshold, xgboost when x < threshold. */
export type SplitMode = 'BRANCH_LEQ' | 'BRANCH_LT';

const modeCodes: Record<SplitMode, number> = { BRANCH_LEQ: 0, BRANCH_LT: 1 };

/**
 * The attribute arrays of one ai.onnx.ml TreeEnsemble (opset 5), filled a tree at a time, for
 * scikit-learn's trees and xgboost's alike. Interior nodes and leaves are numbered apart, in
 * the order each tree's nodes are given; onnxruntime sums a target's leaves in tree order.
 */
export class TreeEnsembleAttributes {
  private readonly roots: number[] = [];
  private readonly featureIds: number[] = [];
  private readonly splits: number[] = [];
  private readonly trueIds: number[] = [];
  private readonly trueLeafs: number[] = [];
  private readonly falseIds: number[] = [];
  private readonly falseLeafs: number[] = [];
  private readonly missingTrue: number[] = [];
  private readonly leafTargets: number[] = [];
  private readonly leafWeights: number[] = [];

  private readonly maxNodes: number;

  /** `maxNodes`: the most nodes (interior and leaves) the ensemble may reach; tests pass fewer. */
  constructor(maxNodes: number = maxTreeNodes) {
    this.maxNodes = maxNodes;
  }

  /** Refuses before adding `count` nodes past the limit, so a forest too large to load converts no further. */
  private reserve(count: number): void {
    checkTreeNodes(this.featureIds.length + this.leafTargets.length + count, this.maxNodes);
  }

  /** A tree with one leaf: a split every value (and a missing one) passes, to the leaf both ways. */
  addSingleLeaf(target: number, weight: number): void {
    this.reserve(2);
    this.roots.push(this.featureIds.length);
    this.featureIds.push(0);
    this.splits.push(Number.POSITIVE_INFINITY);
    this.trueIds.push(this.leafTargets.length);
    this.falseIds.push(this.leafTargets.length);
    this.trueLeafs.push(1);
    this.falseLeafs.push(1);
    this.missingTrue.push(1);
    this.leafTargets.push(target);
    this.leafWeights.push(weight);
  }

  /**
   * Adds one tree rooted at node 0, its nodes numbered in `order` (every reachable node once,
   * the root first); each leaf adds `leafWeight(node)` to `target`.
   */
  addTree(
    tree: BinaryTree,
    order: readonly number[],
    target: number,
    leafWeight: (node: number) => number,
  ): void {
    if (tree.left[0] === -1) {
      this.addSingleLeaf(target, leafWeight(0));
      return;
    }
    this.reserve(order.length);
    const interior = new Map<number, number>();
    const leaf = new Map<number, number>();
    for (const node of order) {
      if (tree.left[node] === -1) {
        leaf.set(node, this.leafTargets.length);
        this.leafTargets.push(target);
        this.leafWeights.push(leafWeight(node));
      } else {
        interior.set(node, this.featureIds.length + interior.size);
      }
    }
    this.roots.push(interior.get(0)!);
    for (const node of order) {
      if (tree.left[node] === -1) continue;
      this.featureIds.push(tree.feature[node]!);
      this.splits.push(tree.threshold[node]!);
      const yes = tree.left[node]!;
      const no = tree.right[node]!;
      this.trueLeafs.push(leaf.has(yes) ? 1 : 0);
      this.trueIds.push(leaf.get(yes) ?? interior.get(yes)!);
      this.falseLeafs.push(leaf.has(no) ? 1 : 0);
      this.falseIds.push(leaf.get(no) ?? interior.get(no)!);
      this.missingTrue.push(tree.missingGoesLeft?.[node] ?? 0);
    }
  }

  /** The node's attributes; `values` is the element type of the thresholds and leaf weights. */
  attributes(options: {
    targets: number;
    mode: SplitMode;
    values: 'double' | 'float';
  }): Record<string, Attribute> {
    const n = this.featureIds.length;
    return {
      aggregate_function: { kind: 'int', value: 1 }, // SUM; any averaging is done after, as scikit-learn does
      post_transform: { kind: 'int', value: 0 },
      n_targets: { kind: 'int', value: options.targets },
      tree_roots: { kind: 'ints', value: this.roots },
      nodes_featureids: { kind: 'ints', value: this.featureIds },
      nodes_modes: {
        kind: 'tensor',
        value: { type: 'uint8', values: new Uint8Array(n).fill(modeCodes[options.mode]) },
        dims: [n],
      },
      nodes_splits: { kind: 'tensor', value: { type: options.values, values: this.splits }, dims: [n] },
      nodes_truenodeids: { kind: 'ints', value: this.trueIds },
      nodes_trueleafs: { kind: 'ints', value: this.trueLeafs },
      nodes_falsenodeids: { kind: 'ints', value: this.falseIds },
      nodes_falseleafs: { kind: 'ints', value: this.falseLeafs },
      nodes_missing_value_tracks_true: { kind: 'ints', value: this.missingTrue },
      leaf_targetids: { kind: 'ints', value: this.leafTargets },
      leaf_weights: {
        kind: 'tensor',
        value: { type: options.values, values: this.leafWeights },
        dims: [this.leafWeights.length],
      },
    };
  }
}
