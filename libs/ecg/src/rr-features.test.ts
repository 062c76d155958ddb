import { describe, expect, it } from 'vitest';
import { MAX_RR_SECONDS, rrFeatures, RR_FEATURE_COUNT } from './rr-features';

describe('rrFeatures', () => {
  it('gives previous, next, local and record mean intervals in seconds', () => {
    const beats = [0, 360, 540, 900]; // intervals 1.0, 0.5, 1.0 s at 360 Hz
    const f = rrFeatures(beats, 360);
    const rows = Array.from({ length: beats.length }, (_, i) => Array.from(f.subarray(i * RR_FEATURE_COUNT, (i + 1) * RR_FEATURE_COUNT)));
    const mean = 2.5 / 3;
    expect(rows[0][0]).toBeCloseTo(mean); // no previous beat: the record mean stands in
    expect(rows[1].slice(0, 2)).toEqual([1, 0.5]);
    expect(rows[2].slice(0, 2)).toEqual([0.5, 1]);
    expect(rows[3][1]).toBeCloseTo(mean);
    for (const r of rows) {
      expect(r[2]).toBeCloseTo(mean); // every interval lies within 5 beats here
      expect(r[3]).toBeCloseTo(mean);
    }
  });

  it('caps gaps without beats at MAX_RR_SECONDS', () => {
    const f = rrFeatures([0, 360, 360 * 101, 360 * 102], 360);
    expect(f[RR_FEATURE_COUNT + 1]).toBe(MAX_RR_SECONDS);
    expect(f[3]).toBeCloseTo((1 + MAX_RR_SECONDS + 1) / 3);
  });

  it('limits the local mean to five beats either side', () => {
    const beats = Array.from({ length: 30 }, (_, i) => (i < 15 ? i * 360 : 14 * 360 + (i - 14) * 180));
    const f = rrFeatures(beats, 360);
    expect(f[2 * RR_FEATURE_COUNT + 2]).toBeCloseTo(1); // beat 2: only 1 s intervals nearby
    expect(f[27 * RR_FEATURE_COUNT + 2]).toBeCloseTo(0.5);
  });
});
