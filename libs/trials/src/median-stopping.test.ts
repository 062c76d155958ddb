import { describe, expect, it } from 'vitest';
import { curveOf, medianStopping, type Curve } from './median-stopping';

const curve = (...values: number[]): Curve => values.map((value, i) => ({ step: i + 1, value }));

describe('medianStopping', () => {
  // Running averages up to step 2: 0.5, 0.6, 0.7 (median 0.6); up to step 4: 0.55, 0.65, 0.75.
  const completed = [curve(0.4, 0.6, 0.6, 0.6), curve(0.5, 0.7, 0.7, 0.7), curve(0.6, 0.8, 0.8, 0.8)];
  const rule = medianStopping({ minTrials: 3, startStep: 2, goal: 'maximize' });

  it('the median of the running averages of the completed curves up to the step', () => {
    expect(rule.median(2, completed)).toBeCloseTo(0.6);
    expect(rule.median(4, completed)).toBeCloseTo(0.65);
    expect(rule.median(1, completed.slice(0, 2).concat([curve(0.9)]))).toBeCloseTo(0.5);
    // an even count: the mean of the two middle averages
    expect(medianStopping({ minTrials: 1, startStep: 0, goal: 'maximize' }).median(1, [curve(1), curve(2), curve(3), curve(10)])).toBe(2.5);
  });

  it('stops when the best value so far is strictly worse than the median', () => {
    expect(rule.decide(curve(0.3, 0.59), 2, completed)).toBe('stop');
    expect(rule.decide(curve(0.3, rule.median(2, completed)!), 2, completed)).toBe('continue'); // equal is not worse
    expect(rule.decide(curve(0.61, 0.1), 2, completed)).toBe('continue'); // best, not last
  });

  it('never before startStep, nor with fewer than minTrials completed curves that reached the step', () => {
    expect(rule.decide(curve(0.0), 1, completed)).toBe('continue');
    expect(rule.decide(curve(0, 0, 0, 0, 0), 5, completed)).toBe('continue'); // no completed curve reached step 5
    expect(rule.decide(curve(0, 0), 2, completed.slice(0, 2))).toBe('continue');
    expect(rule.median(5, completed)).toBeNull();
  });

  it('minimize: stops when the best (lowest) value is above the median', () => {
    const min = medianStopping({ minTrials: 2, startStep: 1, goal: 'minimize' });
    const losses = [curve(1.0, 0.8), curve(1.2, 1.0)];
    expect(min.median(2, losses)).toBeCloseTo(1.0);
    expect(min.decide(curve(1.5, 1.1), 2, losses)).toBe('stop');
    expect(min.decide(curve(1.5, 0.9), 2, losses)).toBe('continue');
  });

  it('steps are the reported step numbers, not positions', () => {
    const sparse = [
      [
        { step: 10, value: 0.5 },
        { step: 20, value: 0.7 },
      ],
      [
        { step: 10, value: 0.6 },
        { step: 20, value: 0.8 },
      ],
    ];
    const r = medianStopping({ minTrials: 2, startStep: 0, goal: 'maximize' });
    expect(r.median(15, sparse)).toBeCloseTo(0.55); // averages of the values at steps <= 15
    expect(r.decide([{ step: 15, value: 0.5 }], 15, sparse)).toBe('stop');
  });

  it('onIntermediate collects the curve of the metric and decides against the completed trials read at each call', () => {
    const done: Curve[] = [];
    const onIntermediate = rule.onIntermediate('acc', () => done);
    expect(onIntermediate(1, { acc: 0.1 })).toBe('continue');
    done.push(...completed);
    expect(onIntermediate(2, { loss: 3 })).toBe('continue');
    expect(onIntermediate(2, { acc: 0.2 })).toBe('stop');
  });

  it('curveOf takes the metric out of a trial outcome', () => {
    expect(curveOf([{ step: 1, values: { acc: 0.1 } }, { step: 2, values: { loss: 1 } }, { step: 3, values: { acc: 0.3 } }], 'acc')).toEqual([
      { step: 1, value: 0.1 },
      { step: 3, value: 0.3 },
    ]);
  });

  it('refuses bad options', () => {
    expect(() => medianStopping({ minTrials: 0, startStep: 0, goal: 'maximize' })).toThrow(/minTrials/);
    expect(() => medianStopping({ minTrials: 1, startStep: -1, goal: 'maximize' })).toThrow(/startStep/);
    expect(() => medianStopping({ minTrials: 1, startStep: 0, goal: 'max' as never })).toThrow(/goal/);
  });
});
