import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { kendallTau, spearman, ranks, mean, std } from './stats';

/** O(n^2) tau-b straight from the definition, to check the fast version against. */
function naiveTauB(a: number[], b: number[]): number {
  let c = 0;
  let d = 0;
  let ta = 0;
  let tb = 0;
  for (let i = 0; i < a.length; i++)
    for (let j = i + 1; j < a.length; j++) {
      const sa = Math.sign(a[i] - a[j]);
      const sb = Math.sign(b[i] - b[j]);
      if (sa === 0 && sb === 0) continue;
      if (sa === 0) ta++;
      else if (sb === 0) tb++;
      else if (sa === sb) c++;
      else d++;
    }
  const denom = Math.sqrt((c + d + ta) * (c + d + tb));
  return denom === 0 ? 0 : (c - d) / denom;
}

describe('stats', () => {
  it('kendall tau on hand-worked cases', () => {
    expect(kendallTau([1, 2, 3, 4], [1, 2, 3, 4])).toBeCloseTo(1);
    expect(kendallTau([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1);
    // one swapped pair of six: (5 - 1) / 6
    expect(kendallTau([1, 2, 3, 4], [1, 2, 4, 3])).toBeCloseTo(4 / 6);
  });

  it('kendall tau-b matches the definition, ties included', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { minLength: 2, maxLength: 40 }),
        (pairs) => {
          const a = pairs.map((p) => p[0]);
          const b = pairs.map((p) => p[1]);
          expect(kendallTau(a, b)).toBeCloseTo(naiveTauB(a, b), 10);
        },
      ),
    );
  });

  it('spearman uses average ranks', () => {
    expect(ranks([10, 20, 20, 30])).toEqual([1, 2.5, 2.5, 4]);
    expect(spearman([1, 2, 3], [3, 2, 1])).toBeCloseTo(-1);
  });

  it('mean and sample std', () => {
    expect(mean([1, 2, 3])).toBe(2);
    expect(std([1, 2, 3])).toBeCloseTo(1);
    expect(std([5])).toBe(0);
  });
});
