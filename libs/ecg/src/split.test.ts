import { describe, expect, it } from 'vitest';
import { UserError } from '@dcl-enas/common';
import { chooseHoldoutRecords } from './split';
import { DS1_RECORDS } from './records';

/** Synthetic DS1 class counts: records differ in which classes they hold. */
const counts = new Map<number, number[]>(DS1_RECORDS.map((r, i) => [r, [1000, i % 3 === 0 ? 60 : 5, i % 2 === 0 ? 80 : 0, i % 5 === 0 ? 3 : 0, 0]]));

describe('chooseHoldoutRecords', () => {
  it('is deterministic per seed and honours the class constraints', () => {
    for (let seed = 0; seed < 20; seed++) {
      const a = chooseHoldoutRecords(counts, { seed });
      expect(chooseHoldoutRecords(counts, { seed })).toEqual(a);
      expect(a).toHaveLength(4);
      const held = [0, 1, 2, 3, 4].map((c) => a.reduce((s, r) => s + (counts.get(r)?.[c] ?? 0), 0));
      expect(held[1]).toBeGreaterThanOrEqual(50);
      expect(held[2]).toBeGreaterThanOrEqual(50);
      expect(held[3]).toBeGreaterThanOrEqual(1);
    }
    const distinct = new Set(Array.from({ length: 20 }, (_, seed) => chooseHoldoutRecords(counts, { seed }).join()));
    expect(distinct.size).toBeGreaterThan(1);
  });

  it('refuses DS2 records and impossible constraints', () => {
    const withDs2 = new Map(counts).set(100, [10, 0, 0, 0, 0]);
    expect(() => chooseHoldoutRecords(withDs2)).toThrow(/must come from DS1; 100/);
    expect(() => chooseHoldoutRecords(counts, { minBeats: { F: 1000 } })).toThrow(UserError);
    expect(() => chooseHoldoutRecords(counts, { count: 22 })).toThrow(/hold-out size 22/);
  });
});
