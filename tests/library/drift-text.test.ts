import { describe, expect, it } from 'vitest';
import { formatDrift } from '../../main/analysis/drift-text.ts';
import { DriftCounter, profileCategorical, profileNumeric } from '../../main/analysis/psi.ts';

describe('the drift table in the score report', () => {
  it('prints one line per input and one for the scores, with unseen categories and empty cells', () => {
    const source = new DriftCounter(profileCategorical('lead_source', ['a', 'a', 'b', 'b'])).addAll([
      'a',
      'c',
      '',
      'b',
    ]);
    const courses = new DriftCounter(profileNumeric('courses', [1, 2, 3, 4])).addAll([1, 2, 3, 4]);
    const score = new DriftCounter(profileNumeric('score', [0.1, 0.2, 0.3])).addAll([0.9, 0.9, 0.9]);
    const text = formatDrift({
      referenceRows: 4,
      currentRows: 4,
      epsilon: 1e-4,
      features: [source.result(), courses.result()],
      score: score.result(),
    });
    const lines = text.split('\n');
    expect(lines[0]).toBe(
      'Drift against the reference (4 rows): PSI bands stable < 0.1 ≤ moderate < 0.25 ≤ shifted',
    );
    expect(lines[1]).toMatch(
      /^ {2}lead_source +\d+\.\d{3} {2}shifted +1 rows with unseen categories \(c\); 1 empty cells$/,
    );
    expect(lines[2]).toBe('  courses               0.000  stable');
    expect(lines[3]).toMatch(/^ {2}score distribution +\d+\.\d{3} {2}shifted$/);
  });
});
