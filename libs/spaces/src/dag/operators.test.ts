import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@dcl-enas/common';
import { createDagSpace } from './index';
import { DEFS, definition, seed } from './test-spaces';

describe('dag sample / mutate / crossover', () => {
  it('samples valid maxNodes-vertex cells, reproducibly per seed, for any definition', () => {
    fc.assert(
      fc.property(definition, seed, (def, s) => {
        const space = createDagSpace(def);
        const cell = space.sample(Rng.seeded(s));
        expect(space.invalidReason(cell)).toBeNull();
        expect(cell.ops).toHaveLength(def.maxNodes);
        expect(space.sample(Rng.seeded(s))).toEqual(cell);
      }),
      { numRuns: 200 },
    );
  });

  it('mutates into a valid cell with a different key, for any definition', () => {
    fc.assert(
      fc.property(definition, seed, seed, (def, a, b) => {
        const space = createDagSpace(def);
        const parent = space.sample(Rng.seeded(a));
        const rng = Rng.seeded(b);
        let cell = parent;
        for (let i = 0; i < 3; i++) {
          const child = space.mutate(cell, rng);
          expect(space.invalidReason(child)).toBeNull();
          expect(space.key(child)).not.toBe(space.key(cell));
          cell = child;
        }
      }),
      { numRuns: 200 },
    );
  });

  it('mutates the smallest cell and parsed cells with prunable extra vertices', () => {
    for (const def of DEFS) {
      const space = createDagSpace(def);
      const tiny = { matrix: [[0, 1], [0, 0]], ops: ['input', 'output'] };
      const n = def.maxNodes + 2;
      // input -> output plus two isolated extra vertices: over maxNodes before pruning, valid after.
      const oversized = { matrix: Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === 0 && j === n - 1 ? 1 : 0))), ops: ['input', ...new Array<string>(n - 2).fill(def.ops[0]), 'output'] };
      expect(space.isValid(oversized)).toBe(true);
      const rng = Rng.seeded(5);
      for (const parent of [tiny, oversized]) {
        for (let i = 0; i < 20; i++) {
          const child = space.mutate(parent, rng);
          expect(space.isValid(child)).toBe(true);
          expect(child.ops).toHaveLength(def.maxNodes);
          expect(space.key(child)).not.toBe(space.key(parent));
        }
      }
    }
  });

  it('crosses two valid parents into a valid child built from their genes, for any definition', () => {
    fc.assert(
      fc.property(definition, seed, seed, seed, (def, a, b, c) => {
        const space = createDagSpace(def);
        const pa = space.sample(Rng.seeded(a));
        const pb = space.sample(Rng.seeded(b));
        const child = space.crossover(pa, pb, Rng.seeded(c));
        expect(space.invalidReason(child)).toBeNull();
        for (let i = 0; i < def.maxNodes; i++) {
          expect([pa.ops[i], pb.ops[i]]).toContain(child.ops[i]);
          for (let j = 0; j < def.maxNodes; j++) expect([pa.matrix[i][j], pb.matrix[i][j]]).toContain(child.matrix[i][j]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses to cross over two invalid parents', () => {
    const space = createDagSpace(DEFS[2]);
    const broken = { matrix: [[0, 0], [0, 0]], ops: ['input', 'output'] };
    expect(() => space.crossover(broken, broken, Rng.seeded(1))).toThrow(/cannot cross over two invalid Four cells/);
    const valid = space.sample(Rng.seeded(2));
    expect(space.isValid(space.crossover(broken, valid, Rng.seeded(3)))).toBe(true);
  });

  it.each(DEFS.map((d) => [d.name, d] as const))('%s: a short evolution keeps every cell valid', (_name, def) => {
    const space = createDagSpace(def);
    const rng = Rng.seeded(11);
    let population = Array.from({ length: 12 }, () => space.sample(rng));
    for (let generation = 0; generation < 12; generation++) {
      population = population.map((cell, i) => (i % 2 === 0 ? space.mutate(cell, rng) : space.crossover(cell, rng.pick(population), rng)));
      for (const cell of population) expect(space.invalidReason(cell)).toBeNull();
    }
  });

  it('a one-op space mutates by edges only; a maxEdges-1 space (a single cell) refuses to mutate', () => {
    const oneOp = createDagSpace({ name: 'one', label: 'One', ops: ['a'], maxNodes: 3, maxEdges: 3 });
    expect(oneOp.size).toBe(3);
    const rng = Rng.seeded(2);
    let cell = oneOp.sample(rng);
    for (let i = 0; i < 30; i++) {
      const next = oneOp.mutate(cell, rng);
      expect(oneOp.key(next)).not.toBe(oneOp.key(cell));
      cell = next;
    }
    const single = createDagSpace({ name: 'single', label: 'Single', ops: ['a', 'b'], maxNodes: 6, maxEdges: 1 });
    expect(single.size).toBe(1);
    const only = single.sample(Rng.seeded(1));
    expect(single.toGraph(only).nodeCount).toBe(2);
    expect(() => single.mutate(only, Rng.seeded(1))).toThrow(RangeError);
    expect(() => single.mutate(only, Rng.seeded(1))).toThrow(/Single holds a single cell \(input -> output, maxEdges 1\)/);
    expect(single.isValid(single.crossover(only, single.sample(Rng.seeded(2)), Rng.seeded(3)))).toBe(true);
    // An invalid parent can still be mutated into the one valid cell.
    expect(single.isValid(single.mutate({ matrix: [[0, 0], [0, 0]], ops: ['input', 'output'] }, Rng.seeded(4)))).toBe(true);
  });
});
