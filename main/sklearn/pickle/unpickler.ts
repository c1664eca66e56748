import { LEGACY_JOBLIB_WRAPPERS, normalizeGlobal } from './allow-list.ts';
import type { Cursor } from './cursor.ts';
import type { LoadLimits } from './limits.ts';
import { type DtypeValue, decodeArray, getDtypeInfo, setDtypeState } from './numpy-arrays.ts';
import { OPCODES, STOP } from './opcodes.ts';
import { corrupt, refused, refusedGlobal, unsupported } from './pickle-errors.ts';
import { NdArray, PyDict, PyObject, PyTuple, type PyValue } from './py-values.ts';
import { buildArray, type CallStyle, callGlobal, globalRef, PendingArray } from './reconstructors.ts';

/** What the stack holds: finished values, and numpy arrays waiting for their BUILD. */
export type Item = PyValue | PendingArray;

/** Counters shared by a load and any pickle nested in it (joblib's object arrays). */
export interface LoadBudget {
  limits: LoadLimits;
  ops: number;
  memoEntries: number;
  arrayBytes: number;
  arrayElements: number;
  textElements: number;
}

const JOBLIB_ARRAY_WRAPPERS = new Set([
  'joblib.numpy_pickle.NumpyArrayWrapper',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper',
]);

/**
 * A pickle virtual machine that only builds data: one loop over a table of opcode
 * handlers, an explicit stack and metastack (MARK levels), no recursion. Globals are
 * resolved against the allow-list before anything else happens to them.
 */
export class Unpickler {
  private stack: Item[] = [];
  private readonly metastack: Item[][] = [];
  private readonly memo = new Map<number, Item>();
  /** Where the current FRAME ends (protocol 4+), while inside one. */
  private frameEnd: number | undefined;
  /** Offset and name of the instruction being executed, for messages. */
  at = 0;
  op = '';

  constructor(
    readonly cursor: Cursor,
    readonly budget: LoadBudget,
    /** joblib stores array bytes right after each NumpyArrayWrapper; a nested object-array pickle does not. */
    private readonly joblib: boolean,
  ) {}

  run(): PyValue {
    const { cursor, budget } = this;
    const maxOps = budget.limits.maxOps;
    for (;;) {
      if (++budget.ops > maxOps) {
        throw refused(
          `refused: the file needs more than ${maxOps} pickle instructions, the limit for one load`,
          {
            limit: 'maxOps',
          },
        );
      }
      this.at = cursor.pos;
      if (cursor.remaining === 0) {
        throw corrupt(
          `This pickle file is truncated: it ends at byte ${cursor.pos} before its STOP instruction.`,
          {
            offset: cursor.pos,
          },
        );
      }
      const code = cursor.u8('an instruction');
      const entry = OPCODES[code];
      if (!entry) {
        throw corrupt(
          `This pickle file is damaged: byte ${this.at} holds 0x${code.toString(16).padStart(2, '0')}, which is not a pickle instruction.`,
          { offset: this.at, byte: code },
        );
      }
      this.op = entry.name;
      const stop = entry.run(this) === STOP;
      this.checkFrame();
      if (stop) return this.popValue();
    }
  }

  // ---- frames ----

  /**
   * A FRAME only groups the instructions that follow, but a checker that trusts the declared
   * lengths sees different instructions than one that doesn't (fickling's "frame divergence"), so
   * frames must be exact, as CPython's writer makes them: every instruction inside one frame, and
   * no frame starting before the previous one ends.
   */
  startFrame(length: number): void {
    if (this.frameEnd !== undefined) {
      throw corrupt(
        `This pickle file is damaged: a frame starts at byte ${this.at}, inside the frame that ends at byte ${this.frameEnd}.`,
        { offset: this.at, frameEnd: this.frameEnd },
      );
    }
    this.frameEnd = this.cursor.pos + length;
  }

  private checkFrame(): void {
    if (this.frameEnd === undefined) return;
    if (this.cursor.pos > this.frameEnd) {
      throw corrupt(
        `This pickle file is damaged: the ${this.op} instruction at byte ${this.at} runs past the end of its frame (byte ${this.frameEnd}).`,
        { offset: this.at, frameEnd: this.frameEnd },
      );
    }
    if (this.cursor.pos === this.frameEnd) this.frameEnd = undefined;
  }

  // ---- stack helpers ----

  push(item: Item): void {
    this.stack.push(item);
  }

  pop(): Item {
    if (this.stack.length === 0) this.underflow();
    return this.stack.pop() as Item;
  }

  /** Pops a finished value; a numpy array still waiting for its BUILD resolves to its data. */
  popValue(): PyValue {
    return this.resolve(this.pop());
  }

  resolve(item: Item): PyValue {
    if (item instanceof PendingArray) {
      if (item.result === undefined) {
        throw corrupt(
          `This pickle file is damaged: the ${this.op} instruction at byte ${this.at} uses a numpy array before its data.`,
        );
      }
      return item.result;
    }
    return item;
  }

  stackIsEmpty(): boolean {
    return this.stack.length === 0;
  }

  top(): Item {
    if (this.stack.length === 0) this.underflow();
    return this.stack[this.stack.length - 1] as Item;
  }

  underflow(): never {
    throw corrupt(
      `This pickle file is damaged: the ${this.op} instruction at byte ${this.at} has nothing to work on.`,
      {
        offset: this.at,
        opcode: this.op,
      },
    );
  }

  mark(): void {
    if (this.metastack.length >= this.budget.limits.maxDepth) {
      throw refused(`refused: the file nests data more than ${this.budget.limits.maxDepth} levels deep`, {
        limit: 'maxDepth',
      });
    }
    this.metastack.push(this.stack);
    this.stack = [];
  }

  /** The items pushed since the last MARK, resolved to values. */
  popMark(): PyValue[] {
    const items = this.stack;
    const previous = this.metastack.pop();
    if (!previous) {
      throw corrupt(
        `This pickle file is damaged: the ${this.op} instruction at byte ${this.at} has no matching MARK.`,
        {
          offset: this.at,
        },
      );
    }
    this.stack = previous;
    return items.map((item) => this.resolve(item));
  }

  memoPut(index: number, item: Item): void {
    if (!this.memo.has(index) && ++this.budget.memoEntries > this.budget.limits.maxMemoEntries) {
      throw refused(`refused: the file stores more than ${this.budget.limits.maxMemoEntries} memo entries`, {
        limit: 'maxMemoEntries',
      });
    }
    this.memo.set(index, item);
  }

  memoize(): void {
    this.memoPut(this.memo.size, this.top());
  }

  memoGet(index: number): void {
    const item = this.memo.get(index);
    if (item === undefined) {
      throw corrupt(
        `This pickle file is damaged: byte ${this.at} refers to memo entry ${index}, which was never stored.`,
      );
    }
    this.push(item instanceof PendingArray && item.result !== undefined ? item.result : item);
  }

  chargeArray = (bytes: number, elements: number, textElements: number): void => {
    const { limits } = this.budget;
    this.budget.arrayBytes += bytes;
    this.budget.arrayElements += elements;
    this.budget.textElements += textElements;
    if (this.budget.arrayBytes > limits.maxArrayBytes) {
      throw refused(`refused: the file's numpy arrays hold more than ${limits.maxArrayBytes} bytes`, {
        limit: 'maxArrayBytes',
      });
    }
    if (this.budget.arrayElements > limits.maxArrayElements) {
      throw refused(`refused: the file's numpy arrays hold more than ${limits.maxArrayElements} elements`, {
        limit: 'maxArrayElements',
      });
    }
    if (this.budget.textElements > limits.maxTextElements) {
      throw refused(
        `refused: the file's numpy text arrays hold more than ${limits.maxTextElements} strings`,
        {
          limit: 'maxTextElements',
        },
      );
    }
  };

  // ---- instruction semantics shared by several opcodes ----

  pushGlobal(module: string, name: string): void {
    const ref = globalRef(module, name);
    const full = normalizeGlobal(module, name);
    if (LEGACY_JOBLIB_WRAPPERS.has(full)) {
      throw unsupported(
        'This file was saved by joblib older than 0.10, which keeps the arrays in separate files; re-save it with a current joblib.',
        { global: full },
      );
    }
    if (!ref) throw refusedGlobal(full, `${module}.${name}`);
    this.push(ref);
  }

  call(callable: Item, args: PyValue[], style: CallStyle, kwargs?: PyDict): void {
    this.push(callGlobal(this.resolve(callable), args, style, this.chargeArray, kwargs));
  }

  build(): void {
    const state = this.popValue();
    const target = this.pop();
    if (target instanceof PendingArray) {
      if (target.result !== undefined)
        throw corrupt('This pickle file is damaged: a numpy array is built twice.');
      target.result = buildArray(state, this.chargeArray);
      this.push(target.result);
      return;
    }
    if (target !== null && typeof target === 'object' && 'kind' in target && target.kind === 'dtype') {
      setDtypeState(target as DtypeValue, state);
      this.push(target);
      return;
    }
    if (!(target instanceof PyObject)) {
      throw corrupt(
        `This pickle file is damaged: the BUILD instruction at byte ${this.at} sets the state of a plain value.`,
      );
    }
    if (target.state instanceof PyDict && state instanceof PyDict) {
      for (const key of state.keys) target.state.set(key, state.get(key) ?? null);
    } else {
      target.state = state;
    }
    if (this.joblib && JOBLIB_ARRAY_WRAPPERS.has(target.className)) {
      this.push(this.readJoblibArray(target));
    } else {
      this.push(target);
    }
  }

  /** joblib writes each array's bytes right after its wrapper (see joblib/numpy_pickle.py, read_array). */
  private readJoblibArray(wrapper: PyObject): PyValue {
    const state = wrapper.attributes;
    const dtype = state?.get('dtype');
    const info = dtype === undefined ? undefined : getDtypeInfo(dtype);
    if (!state || !info) throw corrupt('This joblib file is damaged: an array wrapper has no dtype.');
    const shape = state.get('shape') ?? null;
    // joblib ends the frame before writing an array's bytes (or an object array's pickle) (outside any frame): the BUILD that
    // precedes them must close its frame exactly.
    this.checkFrame();
    if (this.frameEnd !== undefined) {
      throw corrupt(
        `This joblib file is damaged: array data at byte ${this.cursor.pos} lies inside a frame that ends at byte ${this.frameEnd}.`,
      );
    }
    if (info.kind === 'simple' && info.char === 'O') {
      // Object arrays are a complete ordinary pickle embedded in the stream.
      const nested = new Unpickler(this.cursor, this.budget, false).run();
      if (!(nested instanceof NdArray))
        throw corrupt('This joblib file is damaged: an object array is not an array.');
      return nested;
    }
    const alignment = state.get('numpy_array_alignment_bytes');
    if (alignment !== undefined && alignment !== null) {
      const padding = this.cursor.u8('the padding before an array');
      this.cursor.take(padding, 'the padding before an array');
    }
    let count = 1;
    const dims = shape instanceof PyTuple ? shape.items : [];
    for (const d of dims) count *= typeof d === 'number' && d >= 0 ? d : Number.NaN;
    const bytes = count * info.itemsize;
    if (!Number.isSafeInteger(bytes))
      throw corrupt('This joblib file is damaged: an array has an invalid shape.');
    if (this.budget.arrayBytes + bytes > this.budget.limits.maxArrayBytes) this.chargeArray(bytes, 0, 0);
    const raw = this.cursor.take(bytes, 'the data of a numpy array');
    return decodeArray(info, shape, raw, state.get('order') === 'F', this.chargeArray);
  }

  appendTo(target: Item, items: PyValue[]): void {
    if (Array.isArray(target)) {
      for (const item of items) target.push(item);
    } else if (target instanceof PyObject) {
      target.listItems ??= [];
      for (const item of items) target.listItems.push(item);
    } else {
      throw corrupt(
        `This pickle file is damaged: the ${this.op} instruction at byte ${this.at} appends to something that is not a list.`,
      );
    }
  }

  setItems(target: Item, items: PyValue[]): void {
    if (items.length % 2 !== 0)
      throw corrupt(`This pickle file is damaged: SETITEMS at byte ${this.at} has an odd number of items.`);
    let dict: PyDict;
    if (target instanceof PyDict) dict = target;
    else if (target instanceof PyObject) dict = target.dictItems ??= new PyDict();
    else
      throw corrupt(
        `This pickle file is damaged: the ${this.op} instruction at byte ${this.at} sets items on something that is not a dict.`,
      );
    try {
      for (let i = 0; i < items.length; i += 2) dict.set(items[i] as PyValue, items[i + 1] as PyValue);
    } catch (error) {
      if (error instanceof RangeError)
        throw refused('refused: the file uses a dict key too large to be model data');
      throw error;
    }
  }
}
