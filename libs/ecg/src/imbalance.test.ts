import { describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { balancedIndices, classCounts, classWeights, sampleWeights } from './imbalance';

const labels = Uint8Array.from([...Array(90).fill(0), ...Array(9).fill(1), 2]);

describe('class imbalance helpers', () => {
  it('balanced weights give every present class the same total weight', () => {
    const w = classWeights(labels, { scheme: 'balanced', maxRatio: Infinity });
    const counts = classCounts(labels);
    const totals = counts.map((c, k) => c * w[k]).filter((t) => t > 0);
    for (const t of totals) expect(t).toBeCloseTo(totals[0]);
    expect(w[3]).toBe(0);
    expect(w[4]).toBe(0);
    expect(sampleWeights(labels, w).reduce((a, b) => a + b, 0)).toBeCloseTo(labels.length, 3);
  });

  it('sqrt weights are milder, and maxRatio caps the rarest class', () => {
    const balanced = classWeights(labels, { scheme: 'balanced', maxRatio: Infinity });
    const sqrt = classWeights(labels, { scheme: 'sqrt', maxRatio: Infinity });
    expect(sqrt[2] / sqrt[0]).toBeCloseTo(Math.sqrt(balanced[2] / balanced[0]));
    const capped = classWeights(labels, { scheme: 'balanced', maxRatio: 4 });
    expect(capped[2] / capped[0]).toBeCloseTo(4);
    expect(capped[1] / capped[0]).toBeCloseTo(4);
  });

  it('balancedIndices draws the same number of rows from every present class', () => {
    const rows = balancedIndices(labels, 20, Rng.seeded(1));
    expect(rows).toHaveLength(60);
    expect(classCounts(Array.from(rows, (i) => labels[i]))).toEqual([20, 20, 20, 0, 0]);
    // Class 0 has 90 rows, so its 20 are distinct.
    expect(new Set(Array.from(rows).filter((i) => labels[i] === 0)).size).toBe(20);
    expect(balancedIndices(labels, 20, Rng.seeded(1))).toEqual(rows);
  });

  it('rejects labels outside the classes', () => {
    expect(() => classCounts([0, 7])).toThrow(/label 7 at row 1/);
  });
});
