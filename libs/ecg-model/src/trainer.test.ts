import { describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { classQuotas, epochRows, holdoutSample } from './trainer';

const countBy = (rows: ArrayLike<number>, labels: ArrayLike<number>, classes: number) => {
  const n = new Array<number>(classes).fill(0);
  for (let i = 0; i < rows.length; i++) n[labels[rows[i]]]++;
  return n;
};

describe('class-balanced epochs', () => {
  // 100 N, 30 F and 3 Q beats; no S or V
  const labels = Uint8Array.from([...new Array(100).fill(0), ...new Array(30).fill(3), ...new Array(3).fill(4)]);

  it('draws perClass rows of each present class, each row at most maxRepeat times', () => {
    const rows = epochRows(labels, 5, 50, 4, Rng.seeded(1));
    expect(countBy(rows, labels, 5)).toEqual([50, 0, 0, 50, 12]);
    const uses = new Map<number, number>();
    for (const r of rows) uses.set(r, (uses.get(r) ?? 0) + 1);
    // N rows without repeats (100 >= 50); the 30 F rows at most twice; the 3 Q rows exactly 4 times
    for (const [r, u] of uses) expect(u).toBeLessThanOrEqual(labels[r] === 0 ? 1 : labels[r] === 3 ? 2 : 4);
    expect([100, 101, 102].map((k) => uses.get(130 + k - 100))).toEqual([4, 4, 4]);
  });

  it('is reproducible under a seed and shuffles the classes together', () => {
    const a = epochRows(labels, 5, 20, 4, Rng.seeded(2));
    expect(Array.from(epochRows(labels, 5, 20, 4, Rng.seeded(2)))).toEqual(Array.from(a));
    expect(Array.from(a.slice(0, 20)).every((r) => labels[r] === labels[a[0]])).toBe(false);
  });
});

describe('hold-out sample for per-epoch scoring', () => {
  it('keeps every non-N beat and weights the sampled N beats to stand for all of them', () => {
    const labels = Uint8Array.from([...new Array(1000).fill(0), 1, 1, 2, 2, 2]);
    const { rows, weights } = holdoutSample(labels, 200, Rng.seeded(3));
    expect(rows.length).toBe(205);
    let nWeight = 0;
    rows.forEach((r, k) => (labels[r] === 0 ? (nWeight += weights[k]) : expect(weights[k]).toBe(1)));
    expect(nWeight).toBeCloseTo(1000, 3);
    expect(holdoutSample(labels, 0, Rng.seeded(3)).rows.length).toBe(1005);
  });
});

describe('square-root class quotas', () => {
  it('shares the equal total in proportion to the square roots of the class sizes', () => {
    // 10,000 N, 100 S, 400 V, 0 F, 4 Q: total 4 x 100 rows; roots 100, 10, 20, 2
    expect(classQuotas([10_000, 100, 400, 0, 4], 100, 'sqrt')).toEqual([303, 30, 61, 0, 6]);
    expect(classQuotas([10_000, 100, 400, 0, 4], 100, 'equal')).toEqual([100, 100, 100, 0, 100]);
  });

  it('draws those quotas in an epoch, still capped by maxRepeat', () => {
    const labels = Uint8Array.from([...new Array(100).fill(0), ...new Array(30).fill(3), ...new Array(3).fill(4)]);
    // roots 10, 5.48, 1.73 of a total of 150: 87, 48, 15 (Q capped at 3 x 4 = 12)
    expect(countBy(epochRows(labels, 5, 50, 4, Rng.seeded(1), 'sqrt'), labels, 5)).toEqual([87, 0, 0, 48, 12]);
    // the default stays the equal quotas, row for row
    expect(Array.from(epochRows(labels, 5, 50, 4, Rng.seeded(1), 'equal'))).toEqual(Array.from(epochRows(labels, 5, 50, 4, Rng.seeded(1))));
  });
});
