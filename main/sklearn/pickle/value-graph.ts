import type { LoadLimits } from './limits.ts';
import { refused } from './pickle-errors.ts';
import { NdArray, NdRecordArray, PyDict, PyObject, PyTuple, type PyValue } from './py-values.ts';

function children(value: PyValue): PyValue[] {
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return [];
  if (Array.isArray(value)) return value;
  if (value instanceof PyTuple) return value.items;
  if (value instanceof PyDict) return [...value.keys, ...value.entries.values()];
  if (value instanceof PyObject) {
    const out: PyValue[] = [...value.args, value.state];
    if (value.kwargs) out.push(value.kwargs);
    if (value.listItems) for (const item of value.listItems) out.push(item);
    if (value.dictItems) out.push(value.dictItems);
    return out;
  }
  if (value instanceof NdArray) return value.dtype === 'object' ? (value.data as PyValue[]) : [];
  if (value instanceof NdRecordArray) return Object.values(value.fields);
  if ('kind' in value && value.kind === 'set') return value.items;
  if ('kind' in value && value.kind === 'slice') return [value.start, value.stop, value.step];
  return [];
}

/** A value's own weight: itself plus, for a numeric array, its elements (walking it reads them all). */
function ownWeight(value: object, kids: PyValue[]): number {
  let weight = 1;
  if (value instanceof NdArray && value.dtype !== 'object') weight += value.size;
  for (const kid of kids) if (kid === null || typeof kid !== 'object') weight++;
  return weight;
}

/**
 * Makes sure the loaded value is a finite tree-like graph consumers can walk with plain
 * recursion: no reference cycles, no path deeper than maxDepth, and not much more to walk as a
 * tree than as a graph. Shared sub-values (memo reuse) are visited once here, so this is linear in
 * the graph size; but the converter reads attributes as trees, once per reference, so 40 nested
 * `(t, t)` tuples ("billion laughs", under 1 KB) would be 2^40 values to it. Each node's tree
 * weight (itself, its elements, and its children's tree weights, per reference) is memoised by
 * identity, and the file is refused when the tree outweighs the graph by more than
 * maxSharedExpansion. That one bound covers every walk of the result, present and future.
 */
export function checkValueGraph(
  root: PyValue,
  limits: Pick<LoadLimits, 'maxDepth' | 'maxSharedExpansion'>,
): void {
  const { maxDepth, maxSharedExpansion } = limits;
  const depthOf = new Map<object, number>();
  const treeWeightOf = new Map<object, number>();
  let graphWeight = 0;
  const onPath = new Set<object>();
  type Frame = { node: object; kids: PyValue[]; next: number; depth: number; treeWeight: number };
  const stack: Frame[] = [];
  const tooDeep = () =>
    refused(`refused: the file nests data more than ${maxDepth} levels deep`, { limit: 'maxDepth' });
  const enter = (value: PyValue): void => {
    if (value === null || typeof value !== 'object' || depthOf.has(value)) return;
    if (onPath.has(value)) {
      throw refused(
        'refused: the file contains data that refers back to itself (a reference cycle), which model data never needs',
      );
    }
    if (stack.length >= maxDepth) throw tooDeep();
    onPath.add(value);
    const kids = children(value);
    const own = ownWeight(value, kids);
    graphWeight += own;
    stack.push({ node: value, kids, next: 0, depth: 0, treeWeight: own });
  };
  enter(root);
  while (stack.length > 0) {
    const frame = stack[stack.length - 1] as Frame;
    if (frame.next < frame.kids.length) {
      const kid = frame.kids[frame.next++] as PyValue;
      if (kid !== null && typeof kid === 'object') {
        const known = depthOf.get(kid);
        if (known !== undefined) {
          frame.depth = Math.max(frame.depth, known + 1);
          frame.treeWeight += treeWeightOf.get(kid) as number;
          if (stack.length + known > maxDepth) throw tooDeep();
        } else {
          enter(kid);
        }
      }
      continue;
    }
    stack.pop();
    onPath.delete(frame.node);
    depthOf.set(frame.node, frame.depth);
    treeWeightOf.set(frame.node, frame.treeWeight);
    const parent = stack[stack.length - 1];
    if (parent) {
      parent.depth = Math.max(parent.depth, frame.depth + 1);
      parent.treeWeight += frame.treeWeight;
    }
  }
  const treeWeight = root !== null && typeof root === 'object' ? (treeWeightOf.get(root) as number) : 1;
  if (treeWeight - graphWeight > maxSharedExpansion) {
    throw refused(
      `refused: the file's shared data expands to ${formatCount(treeWeight)} values when read as a tree (a "billion laughs" file); ModelDock allows ${formatCount(maxSharedExpansion)} more than the file holds`,
      { limit: 'maxSharedExpansion', values: treeWeight, excess: treeWeight - graphWeight },
    );
  }
}

/** 2.2e12 rather than 2199023255552; a tree weight can pass Number.MAX_SAFE_INTEGER. */
function formatCount(n: number): string {
  return n < 1e9 ? String(n) : n.toExponential(1).replace('+', '');
}
