import { describe, expect, it } from 'vitest';
import { AppError } from '../../main/errors.ts';
import { loadPickleBytes, PyDict, PyGlobalRef, PyObject } from '../../main/sklearn/pickle/index.ts';

const enc = (s: string) => Array.from(new TextEncoder().encode(s));
const shortUnicode = (s: string) => [0x8c, enc(s).length, ...enc(s)];

describe('reader semantics', () => {
  it('records NEWOBJ_EX keyword arguments on the object', () => {
    const bytes = Uint8Array.from([
      0x80,
      4,
      ...shortUnicode('sklearn.linear_model._base'),
      ...shortUnicode('LinearRegression'),
      0x93, // STACK_GLOBAL
      0x29, // EMPTY_TUPLE
      0x7d,
      ...shortUnicode('positive'),
      0x88,
      0x73, // {'positive': True}
      0x92, // NEWOBJ_EX
      0x2e,
    ]);
    const value = loadPickleBytes(bytes);
    expect(value).toBeInstanceOf(PyObject);
    expect((value as PyObject).className).toBe('sklearn.linear_model._base.LinearRegression');
    expect((value as PyObject).kwargs?.get('positive')).toBe(true);
  });

  it('keeps a class named as a value as an inert reference', () => {
    const value = loadPickleBytes(Uint8Array.from([...enc('cnumpy\nfloat64\n'), 0x2e]));
    expect(value).toEqual(new PyGlobalRef('numpy.float64'));
  });

  it('records items set on a dict subclass (sklearn Bunch)', () => {
    const bytes = Uint8Array.from([
      0x80,
      2,
      ...enc('csklearn.utils._bunch\nBunch\n'),
      0x29,
      0x81, // NEWOBJ with ()
      ...shortUnicode('a'),
      0x4b,
      1,
      0x73, // SETITEM 'a' = 1
      0x2e,
    ]);
    const value = loadPickleBytes(bytes) as PyObject;
    expect(value.dictItems).toBeInstanceOf(PyDict);
    expect(value.dictItems?.get('a')).toBe(1);
  });

  it('names the forbidden global even when it is spelled the Python 2 way', () => {
    try {
      loadPickleBytes(Uint8Array.from([...enc("c__builtin__\nreduce\n(S'x'\ntR."), 0x2e]));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details).toEqual({
        global: 'functools.reduce',
        written: '__builtin__.reduce',
      });
    }
  });

  it('refuses a sklearn module function even though sklearn classes are allowed', () => {
    expect(() => loadPickleBytes(Uint8Array.from([...enc('csklearn.utils._joblib\nload\n.')]))).toThrow(
      'refused: the file calls sklearn.utils._joblib.load, which is not model data',
    );
  });

  it('names any other scikit-learn global it does not load as unsupported, without calling it', () => {
    expect(() =>
      loadPickleBytes(Uint8Array.from([...enc('csklearn.neighbors._kd_tree\nnewObj\n.')])),
    ).toThrow(
      expect.objectContaining({
        code: 'unsupported-model',
        message: expect.stringMatching(
          /^ModelDock cannot read this scikit-learn model: it uses sklearn\.neighbors\._kd_tree\.newObj, which ModelDock does not load\. Supported: Pipeline, /,
        ),
      }),
    );
    expect(() => loadPickleBytes(Uint8Array.from([...enc('cposix\nsystem\n.')]))).toThrow(
      expect.objectContaining({ code: 'refused-pickle' }),
    );
  });
});
