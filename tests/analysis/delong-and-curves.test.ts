import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { delongTest, describeDelong, midranks } from '../../main/analysis/delong.ts';
import { splitByLabel } from '../../main/analysis/labelled-scores.ts';
import { erfc, twoSidedPValue } from '../../main/analysis/normal-distribution.ts';
import { precisionRecallCurve } from '../../main/analysis/precision-recall.ts';
import { rocAuc } from '../../main/analysis/roc.ts';
import { histogramEdges, scoreHistogram } from '../../main/analysis/score-bins.ts';
import type { Delong } from '../../shared/contract/index.ts';

/** Scores on a coarse grid so ties are common, with both labels present at least twice. */
const labelled = fc
  .array(
    fc.tuple(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 1 })),
    {
      minLength: 4,
      maxLength: 50,
    },
  )
  .map((rows) => ({
    a: rows.map(([x]) => x / 8),
    b: rows.map(([, y]) => y / 8),
    labels: rows.map(([, , l]) => l),
  }))
  .filter(
    ({ labels }) => labels.filter((l) => l === 1).length >= 2 && labels.filter((l) => l === 0).length >= 2,
  );

/** DeLong et al. (1988) straight from the placement values, O(m·n): the independent check of Sun & Xu. */
function pairwiseDelong(a: number[], b: number[], labels: number[]) {
  const pos = labels.flatMap((l, i) => (l === 1 ? [i] : []));
  const neg = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  const psi = (x: number, y: number) => (x > y ? 1 : x === y ? 0.5 : 0);
  const components = [a, b].map((s) => ({
    v10: pos.map((i) => neg.reduce((sum, j) => sum + psi(s[i] as number, s[j] as number), 0) / neg.length),
    v01: neg.map((j) => pos.reduce((sum, i) => sum + psi(s[i] as number, s[j] as number), 0) / pos.length),
  }));
  const mean = (v: number[]) => v.reduce((x, y) => x + y, 0) / v.length;
  const cov = (x: number[], y: number[]) => {
    const mx = mean(x);
    const my = mean(y);
    return x.reduce((sum, xi, k) => sum + (xi - mx) * ((y[k] as number) - my), 0) / (x.length - 1);
  };
  const [ca, cb] = components as [(typeof components)[0], (typeof components)[0]];
  const variance =
    (cov(ca.v10, ca.v10) + cov(cb.v10, cb.v10) - 2 * cov(ca.v10, cb.v10)) / pos.length +
    (cov(ca.v01, ca.v01) + cov(cb.v01, cb.v01) - 2 * cov(ca.v01, cb.v01)) / neg.length;
  return { aucA: mean(ca.v10), aucB: mean(cb.v10), variance };
}

describe('DeLong by the Sun & Xu midrank algorithm', () => {
  test('equals the pairwise definition, ties included', () => {
    fc.assert(
      fc.property(labelled, ({ a, b, labels }) => {
        const expected = pairwiseDelong(a, b, labels);
        const actual = delongTest(a, b, labels) as Delong;
        expect(actual.aucA).toBeCloseTo(expected.aucA, 12);
        expect(actual.aucB).toBeCloseTo(expected.aucB, 12);
        expect(actual.standardError).toBeCloseTo(Math.sqrt(Math.max(0, expected.variance)), 10);
        expect(actual.aucA).toBeCloseTo(rocAuc(splitByLabel(a, labels)) as number, 12);
      }),
    );
  });

  test('a model against itself: no difference, p = 1, no z', () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2];
    const labels = [0, 0, 1, 1, 1, 0];
    const result = delongTest(scores, scores, labels) as Delong;
    expect(result).toMatchObject({ aucDifference: 0, standardError: 0, z: null, pValue: 1, ci95: [0, 0] });
    expect(describeDelong(result, 'v1', 'v1 again')).toBe(
      'v1 and v1 again put every converted/unconverted pair in the same order (AUC 0.889 each): there is no difference to test.',
    );
  });

  test('fewer than two rows of a label: no test', () => {
    expect(delongTest([0.1, 0.2, 0.3], [0.3, 0.2, 0.1], [1, 0, 0])).toBeNull();
  });

  test('midranks: ties share the mean of their ranks', () => {
    expect(Array.from(midranks([0.5, 0.1, 0.5, 0.9, 0.5]))).toEqual([3, 1, 3, 5, 3]);
    expect(Array.from(midranks([0, -0, 1]))).toEqual([1.5, 1.5, 3]);
  });
});

describe('the sentence', () => {
  const base: Delong = {
    aucA: 0.7,
    aucB: 0.828,
    aucDifference: 0.128,
    standardError: 0.02,
    ci95: [0.0888, 0.1672],
    z: 6.4,
    pValue: 1.5e-10,
    positives: 100,
    negatives: 100,
  };
  test('names the better model first, as the issue words it', () => {
    expect(describeDelong(base, 'v1', 'v2')).toBe(
      "v2's AUC is 0.128 higher than v1's, 95 % CI 0.09–0.17, p < 0.001: the difference is real.",
    );
  });
  test('turns the interval round when A is the better one', () => {
    const flipped = {
      ...base,
      aucA: 0.828,
      aucB: 0.7,
      aucDifference: -0.128,
      ci95: [-0.1672, -0.0888] as [number, number],
    };
    expect(describeDelong(flipped, 'v1', 'v2')).toBe(
      "v1's AUC is 0.128 higher than v2's, 95 % CI 0.09–0.17, p < 0.001: the difference is real.",
    );
  });
  test('an interval across 0 reads "to" with a minus sign, and says it could be chance', () => {
    const unsure = {
      ...base,
      aucDifference: 0.004,
      ci95: [-0.011, 0.019] as [number, number],
      pValue: 0.412,
    };
    expect(describeDelong(unsure, 'v1', 'v2')).toBe(
      "v2's AUC is 0.004 higher than v1's, 95 % CI −0.011 to 0.019, p = 0.41: the difference could be chance.",
    );
  });
});

describe('the normal tail', () => {
  test('erfc matches scipy.special.erfc to 1e-13 relative, from 0.1 to 20', () => {
    // scipy 1.10 (Debian), printed with repr().
    const scipy: Array<[number, number]> = [
      [0.1, 0.8875370839817152],
      [0.5, 0.4795001221869535],
      [1, 0.15729920705028516],
      [1.5, 0.03389485352468927],
      [2, 0.004677734981047266],
      [2.4, 0.0006885138966450789],
      [2.6, 0.000236034416529349],
      [3, 2.2090496998585445e-5],
      [4, 1.541725790028002e-8],
      [5, 1.5374597944280347e-12],
      [6, 2.1519736712498913e-17],
      [8, 1.1224297172982928e-29],
      [10, 2.0884875837625446e-45],
      [20, 5.395865611607901e-176],
    ];
    for (const [x, expected] of scipy) expect(Math.abs(erfc(x) / expected - 1)).toBeLessThan(1e-13);
    expect(erfc(-1)).toBeCloseTo(2 - 0.15729920705028516, 15);
  });
  test('two-sided p: 0.05 at z = 1.96', () => {
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 14);
    expect(twoSidedPValue(0)).toBe(1);
  });
});

describe('curves and bins at the edges', () => {
  test("precision-recall with ties: one point per distinct score, scikit-learn's docstring example", () => {
    const curve = precisionRecallCurve(splitByLabel([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]));
    expect(Array.from(curve.precision)).toEqual([0.5, 2 / 3, 0.5, 1, 1]);
    expect(Array.from(curve.recall)).toEqual([1, 1, 0.5, 0.5, 0]);
    expect(Array.from(curve.thresholds)).toEqual([0.1, 0.35, 0.4, 0.8]);
  });

  test('AUC is exact: pairwise counting on tied grids', () => {
    fc.assert(
      fc.property(labelled, ({ a, labels }) => {
        let wins = 0;
        let pairs = 0;
        a.forEach((x, i) => {
          if (labels[i] !== 1) return;
          a.forEach((y, j) => {
            if (labels[j] !== 0) return;
            pairs++;
            wins += x > y ? 1 : x === y ? 0.5 : 0;
          });
        });
        expect(rocAuc(splitByLabel(a, labels))).toBe(wins / pairs);
      }),
    );
  });

  test("scores within a 0.05 band still get many bars (the course model's case)", () => {
    const scores = Float64Array.from({ length: 1462 }, (_, i) => 0.55 + (0.04 * ((i * 7919) % 1462)) / 1462);
    const histogram = scoreHistogram(scores);
    expect(histogram.bins.length).toBeGreaterThan(10);
    expect(histogram.bins[0]?.from).toBe(0.55);
    expect(histogram.bins.reduce((sum, bin) => sum + bin.count, 0)).toBe(1462);
  });

  test('one value: one bar around it; an interquartile range of 0: Sturges', () => {
    expect(scoreHistogram([0.3, 0.3]).bins).toEqual([{ from: -0.2, to: 0.8, count: 2 }]);
    const spiky = [...Array(100).fill(0.5), 0.1, 0.9];
    const edges = histogramEdges(spiky);
    expect(edges.rule).toBe('sturges');
    expect(edges.edges.length - 1).toBe(Math.ceil(Math.log2(102) + 1));
    expect(scoreHistogram(spiky).bins.at(-1)?.count).toBe(1); // the maximum lands in the closed last bar
  });

  test('bad input is refused with the row', () => {
    expect(() => splitByLabel([0.1, Number.NaN], [0, 1])).toThrow(
      'Score 2 is NaN; scores must be finite numbers.',
    );
    expect(() => splitByLabel([0.1, 0.2], [0, 2])).toThrow('Label 2 is 2; labels must be 0 or 1.');
    expect(() => splitByLabel([0.1], [0, 1])).toThrow('There are 1 scores but 2 labels; they must pair up.');
  });
});
