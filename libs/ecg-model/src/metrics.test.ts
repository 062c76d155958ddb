import { describe, expect, it } from 'vitest';
import { confusionMatrix, metricsFromConfusion } from './metrics';

describe('classification metrics', () => {
  it('counts reference rows against predicted columns, with optional weights', () => {
    expect(confusionMatrix([0, 0, 1, 2], [0, 1, 1, 0], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 0],
    ]);
    // a subsample row standing for 2 beats
    expect(confusionMatrix([0, 0, 1], [0, 1, 1], 2, [2, 1, 1])).toEqual([
      [2, 1],
      [0, 1],
    ]);
  });

  it('matches a hand-worked 3-class matrix, leaving an absent, never-predicted class out of the macro mean', () => {
    // class 0: TP 5, FN 1, FP 2 -> Se 5/6, +P 5/7, F1 10/13; class 1: TP 3, FN 2, FP 1 -> Se 3/5, +P 3/4, F1 6/9
    const m = metricsFromConfusion([
      [5, 1, 0],
      [2, 3, 0],
      [0, 0, 0],
    ]);
    expect(m.accuracy).toBeCloseTo(8 / 11, 12);
    expect(m.perClass[0]).toEqual({ support: 6, sensitivity: 5 / 6, ppv: 5 / 7, f1: 10 / 13 });
    expect(m.perClass[1].sensitivity).toBeCloseTo(0.6, 12);
    expect(m.perClass[1].ppv).toBeCloseTo(0.75, 12);
    expect(m.perClass[1].f1).toBeCloseTo(2 / 3, 12);
    expect(m.perClass[2]).toEqual({ support: 0, sensitivity: null, ppv: null, f1: null });
    expect(m.macroF1).toBeCloseTo((10 / 13 + 2 / 3) / 2, 12);
  });

  it('scores a present class that is never predicted as F1 0, and a predicted absent class as F1 0', () => {
    // AAMI-like: N everywhere. N: TP 90, FP 10 -> F1 180/190; S: support 10, never predicted -> 0
    const allN = metricsFromConfusion([
      [90, 0],
      [10, 0],
    ]);
    expect(allN.accuracy).toBeCloseTo(0.9, 12);
    expect(allN.perClass[1]).toEqual({ support: 10, sensitivity: 0, ppv: null, f1: 0 });
    expect(allN.macroF1).toBeCloseTo(180 / 190 / 2, 12);
    const ghost = metricsFromConfusion([
      [9, 1],
      [0, 0],
    ]);
    expect(ghost.perClass[1]).toEqual({ support: 0, sensitivity: null, ppv: 0, f1: 0 });
  });

  it('averages F1 over the chosen classes only', () => {
    const m = metricsFromConfusion(
      [
        [8, 0, 2],
        [0, 4, 0],
        [1, 0, 0],
      ],
      [0, 1],
    );
    // class 0: TP 8, FN 2, FP 1 -> 16/19; class 1: 1; class 2 (left out): 0
    expect(m.macroF1).toBeCloseTo((16 / 19 + 1) / 2, 12);
    expect(metricsFromConfusion(m.confusion).macroF1).toBeCloseTo((16 / 19 + 1 + 0) / 3, 12);
  });

  it('rejects mismatched inputs with a clear message', () => {
    expect(() => confusionMatrix([0, 1], [0], 2)).toThrow(/2 reference labels but 1 predictions/);
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrow(/outside 0\.\.1/);
    expect(() => metricsFromConfusion([[1, 2]])).toThrow(/square/);
  });
});
