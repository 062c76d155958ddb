import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@dcl-enas/common';
import { nb101Space } from './space';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

describe('nb101 sample / mutate / crossover', () => {
  it('samples valid 7-vertex cells, reproducibly per seed', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const cell = nb101Space.sample(Rng.seeded(s));
        expect(nb101Space.invalidReason(cell)).toBeNull();
        expect(cell.ops).toHaveLength(7);
        expect(nb101Space.sample(Rng.seeded(s))).toEqual(cell);
      }),
      { numRuns: 100 },
    );
  });

  it('samples many distinct cells', () => {
    // Like NB101's random_spec, sampling is uniform over matrices, not over hashes: most samples
    // prune to 3-5 vertices and small cells repeat (about 60% of 300 draws are distinct).
    const rng = Rng.seeded(1);
    const keys = new Set(Array.from({ length: 300 }, () => nb101Space.key(nb101Space.sample(rng))));
    expect(keys.size).toBeGreaterThan(150);
  });

  it('mutates into a valid cell with a different key', () => {
    fc.assert(
      fc.property(seed, seed, (a, b) => {
        const parent = nb101Space.sample(Rng.seeded(a));
        const child = nb101Space.mutate(parent, Rng.seeded(b));
        expect(nb101Space.invalidReason(child)).toBeNull();
        expect(nb101Space.key(child)).not.toBe(nb101Space.key(parent));
      }),
      { numRuns: 200 },
    );
  });

  it('mutates small and oversized-but-prunable cells too', () => {
    const tiny = { matrix: [[0, 1], [0, 0]], ops: ['input', 'output'] };
    const rng = Rng.seeded(5);
    for (let i = 0; i < 50; i++) {
      const child = nb101Space.mutate(tiny, rng);
      expect(nb101Space.isValid(child)).toBe(true);
      expect(nb101Space.key(child)).not.toBe(nb101Space.key(tiny));
    }
  });

  it('crosses two valid parents into a valid child built from their genes', () => {
    fc.assert(
      fc.property(seed, seed, seed, (a, b, c) => {
        const pa = nb101Space.sample(Rng.seeded(a));
        const pb = nb101Space.sample(Rng.seeded(b));
        const child = nb101Space.crossover(pa, pb, Rng.seeded(c));
        expect(nb101Space.invalidReason(child)).toBeNull();
        for (let i = 0; i < 7; i++) {
          expect([pa.ops[i], pb.ops[i]]).toContain(child.ops[i]);
          for (let j = 0; j < 7; j++) expect([pa.matrix[i][j], pb.matrix[i][j]]).toContain(child.matrix[i][j]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('runs a short evolution in which every cell stays valid', () => {
    const rng = Rng.seeded(11);
    let population = Array.from({ length: 20 }, () => nb101Space.sample(rng));
    for (let generation = 0; generation < 20; generation++) {
      population = population.map((cell, i) =>
        i % 2 === 0 ? nb101Space.mutate(cell, rng) : nb101Space.crossover(cell, rng.pick(population), rng),
      );
      for (const cell of population) expect(nb101Space.invalidReason(cell)).toBeNull();
    }
  });
});
