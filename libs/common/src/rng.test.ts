import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('is reproducible under a seed and resumable from its state', () => {
    const a = Rng.seeded(7);
    const b = Rng.seeded(7);
    const xs = Array.from({ length: 20 }, () => a.int(0, 1000));
    expect(Array.from({ length: 20 }, () => b.int(0, 1000))).toEqual(xs);
    const c = Rng.fromState(a.state());
    expect(c.float()).toBe(a.float());
  });

  it('stays in range and shuffles to a permutation', () => {
    const r = Rng.seeded(1);
    for (let i = 0; i < 1000; i++) {
      const v = r.below(5);
      expect(v).toBeGreaterThanOrEqual(0);
      expect(v).toBeLessThan(5);
    }
    expect(r.shuffle([1, 2, 3, 4, 5]).sort()).toEqual([1, 2, 3, 4, 5]);
    expect(() => r.below(0)).toThrow(RangeError);
  });
});
