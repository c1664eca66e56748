/**
 * Recognises a pickle without a protocol header (protocol 0 and 1 have none, and Python accepts any
 * instruction without one) by reading its first instructions. Python's unpickler runs such a file
 * however it starts — `(S'…'\ni__builtin__\nexec\n.`, `Vos\np2\n0Vsystem\n…\x93…R.` — so a format
 * check that only knows the openings scikit-learn writes calls these "not a model file" and never
 * names what they call. This module imports nothing, so the format sniffer can use it without
 * loading the reader.
 */

/** How each instruction's argument is laid out (pickletools' argument descriptors, in short). */
type Argument =
  | 'none'
  | 'decimal' // a line holding an integer (INT, LONG, GET, PUT)
  | 'float' // a line holding a float
  | 'quoted' // a line holding a Python 2 repr(str)
  | 'line' // any line (UNICODE)
  | 'names' // two lines naming a module and an attribute (GLOBAL, INST)
  | { fixed: number } // n bytes
  | { counted: 1 | 4 | 8 }; // a little-endian length of 1, 4 or 8 bytes, then that many bytes

const ARGUMENTS: Record<number, Argument> = {};
const set = (codes: string, argument: Argument) => {
  for (const code of codes) ARGUMENTS[code.charCodeAt(0)] = argument;
};
set('(.012NRabdeltosu])}\x85\x86\x87\x88\x89\x8f\x90\x91\x92\x93\x94\x81\x97\x98', 'none');
set('ILgpP', 'decimal');
set('F', 'float');
set('S', 'quoted');
set('V', 'line');
set('ci', 'names');
set('Kqh\x82\x80', { fixed: 1 });
set('M\x83', { fixed: 2 });
set('Jjr\x84', { fixed: 4 });
set('G', { fixed: 8 });
set('\x95', { fixed: 8 });
set('UC\x8c\x8a', { counted: 1 });
set('TXB\x8b', { counted: 4 });
set('\x8d\x8e\x96', { counted: 8 });

/** Instructions that push onto an empty stack: the only ones a pickle can start with. */
const OPENINGS = new Set(
  Array.from('(NIJKLMFGSTUVXBCc])}\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x96\x80\x95', (c) => c.charCodeAt(0)),
);

const patterns: Partial<Record<Argument & string, RegExp>> = {
  decimal: /^[+-]?\d+L?$/,
  float: /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$|^-?(nan|inf)$/i,
  quoted: /^(['"]).*\1$/s,
  line: /^/,
};
const identifier = /^[A-Za-z_][\w.]*$/;

/**
 * Whether `head` (the first bytes of a file) reads as pickle instructions from its first byte:
 * an opening instruction, then only known instructions with well-formed arguments, up to a STOP
 * or the end of the head, at least `minimum` of them (or a GLOBAL/INST among them). Text, CSV, JSON and images fail in their
 * first few bytes.
 */
export function looksLikeHeaderlessPickle(head: Uint8Array, minimum = 3): boolean {
  if (!OPENINGS.has(head[0] ?? -1)) return false;
  const latin1 = (from: number, to: number) => String.fromCharCode(...head.subarray(from, to));
  let pos = 0;
  let count = 0;
  // A GLOBAL or INST naming module and attribute is strong evidence on its own.
  let named = false;
  while (pos < head.length) {
    const code = head[pos] as number;
    const argument = ARGUMENTS[code];
    if (argument === undefined) return false;
    pos++;
    count++;
    if (code === 0x2e) return count >= 2 || named; // STOP
    if (argument === 'none') continue;
    if (typeof argument === 'object') {
      if ('fixed' in argument) {
        pos += argument.fixed;
        continue;
      }
      let length = 0;
      for (let i = argument.counted - 1; i >= 0; i--) length = length * 256 + (head[pos + i] ?? 0);
      pos += argument.counted + length;
      continue;
    }
    const lines = argument === 'names' ? 2 : 1;
    for (let n = 0; n < lines; n++) {
      const end = head.indexOf(0x0a, pos);
      if (end < 0) return count >= minimum || named; // the line goes on past the head
      const text = latin1(pos, end);
      const ok = argument === 'names' ? identifier.test(text) : (patterns[argument] as RegExp).test(text);
      if (!ok) return false;
      pos = end + 1;
    }
    if (argument === 'names') named = true;
  }
  return count >= minimum || named;
}
