import { describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { epochRows, holdoutSample } from './trainer';

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
