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
    if (value.listItems) out.push(...value.listItems);
    if (value.dictItems) out.push(value.dictItems);
    return out;
  }
  if (value instanceof NdArray) return value.dtype === 'object' ? (value.data as PyValue[]) : [];
  if (value instanceof NdRecordArray) return Object.values(value.fields);
  if ('kind' in value && value.kind === 'set') return value.items;
  if ('kind' in value && value.kind === 'slice') return [value.start, value.stop, value.step];
  return [];
}

/**
 * Makes sure the loaded value is a finite tree-like graph consumers can walk with plain
 * recursion: no reference cycles and no path deeper than maxDepth. Shared sub-values
 * (memo reuse, "billion laughs") are visited once, so this is linear in the graph size.
 */
export function checkValueGraph(root: PyValue, maxDepth: number): void {
  const depthOf = new Map<object, number>();
  const onPath = new Set<object>();
  type Frame = { node: object; kids: PyValue[]; next: number; depth: number };
  const stack: Frame[] = [];
  const enter = (value: PyValue): void => {
    if (value === null || typeof value !== 'object' || depthOf.has(value)) return;
    if (onPath.has(value)) {
      throw refused(
        'refused: the file contains data that refers back to itself (a reference cycle), which model data never needs',
      );
    }
    if (stack.length >= maxDepth) {
      throw refused(`refused: the file nests data more than ${maxDepth} levels deep`, { limit: 'maxDepth' });
    }
    onPath.add(value);
    stack.push({ node: value, kids: children(value), next: 0, depth: 0 });
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
          if (stack.length + known > maxDepth) {
            throw refused(`refused: the file nests data more than ${maxDepth} levels deep`, {
              limit: 'maxDepth',
            });
          }
        } else {
          enter(kid);
        }
      }
      continue;
    }
    stack.pop();
    onPath.delete(frame.node);
    depthOf.set(frame.node, frame.depth);
    const parent = stack[stack.length - 1];
    if (parent) parent.depth = Math.max(parent.depth, frame.depth + 1);
  }
}
