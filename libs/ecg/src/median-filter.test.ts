import { describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { medianFilter, removeBaseline } from './median-filter';

function naiveMedian(x: Int16Array, width: number): Int16Array {
  const half = (width - 1) / 2;
  return Int16Array.from(x, (_, i) => {
    const w: number[] = [];
    for (let j = i - half; j <= i + half; j++) w.push(x[Math.min(x.length - 1, Math.max(0, j))]);
    return w.sort((a, b) => a - b)[half];
  });
}

describe('medianFilter', () => {
  it('equals a sort-based running median, edges included', () => {
    const rng = Rng.seeded(7);
    for (const width of [1, 3, 9, 73]) {
      const x = Int16Array.from({ length: 500 }, () => rng.int(-2048, 2047));
      expect(medianFilter(x, width), `width ${width}`).toEqual(naiveMedian(x, width));
    }
  });

  it('refuses even widths', () => {
    expect(() => medianFilter(new Int16Array(10), 4)).toThrow(/odd/);
  });
});

describe('removeBaseline', () => {
  it('removes a slow drift and keeps narrow spikes', () => {
    const fs = 360;
    const n = fs * 10;
    const x = Int16Array.from({ length: n }, (_, i) => 1024 + Math.round(100 * Math.sin((2 * Math.PI * i) / (fs * 4))) + (i % fs === 180 ? 500 : 0));
    const y = removeBaseline(x, fs);
    const spikes = [...y.keys()].filter((i) => i % fs === 180).map((i) => y[i]);
    const rest = [...y.keys()].filter((i) => i % fs !== 180).map((i) => Math.abs(y[i]));
    expect(Math.min(...spikes)).toBeGreaterThan(480);
    expect(Math.max(...rest)).toBeLessThan(10);
  });
});
