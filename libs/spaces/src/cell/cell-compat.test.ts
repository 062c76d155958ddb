import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@dcl-enas/common';
import type { SearchSpace } from '../space';
import { ECG_OPS, ecgSpace } from '../ecg';
import { NB201_OPS, nb201Space } from '../nb201';
import { CELL_EDGES, createCellSpace, type CellArch, type CellSpace } from './cell-space';
import { createReferenceCellSpace } from './cell-space.test-reference';

/**
 * The generalised N-node createCellSpace must leave the built-in 4-node spaces byte-identical:
 * every output, every error message and the exact sequence of Rng draws of sample / mutate /
 * crossover, compared with a verbatim copy of the 4-node implementation (cell-space.test-reference.ts).
 */
const defs = {
  nb201: { name: 'nb201', label: 'NAS-Bench-201', ops: NB201_OPS, symbols: ['none', 'skip', 'c1', 'c3', 'ap'], semantics: { none: 0, skip: 1 } },
  ecg: { name: 'ecg', label: 'ECG-1D', ops: ECG_OPS, symbols: ['none', 'skip', 'c3', 'c5', 'c7', 'c9', 'd3', 's5', 'mp', 'ap'], semantics: { none: 0, skip: 1 } },
} as const;

const cases: [string, CellSpace, ReturnType<typeof createReferenceCellSpace>][] = [
  ['nb201', nb201Space, createReferenceCellSpace(defs.nb201)],
  ['ecg', ecgSpace, createReferenceCellSpace(defs.ecg)],
];

const graphBytes = (space: SearchSpace<CellArch>, arch: CellArch) => {
  const g = space.toGraph(arch);
  return [g.nodeCount, Array.from(g.adjacency).join(''), Array.from(g.ops).join(',')].join('/');
};

function errorOf(f: () => unknown): string {
  try {
    f();
    return 'no error';
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

describe('4-node cell spaces are unchanged by the N-node generalisation', () => {
  it('keeps the edge order and the space parameters', () => {
    expect(CELL_EDGES).toEqual([
      [0, 1],
      [0, 2],
      [1, 2],
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    for (const [, space, ref] of cases) {
      expect([space.name, space.maxNodes, space.size, space.nodeOps, space.ops]).toEqual([ref.name, ref.maxNodes, ref.size, ref.nodeOps, ref.ops]);
    }
    // nodes: 4 given explicitly is the default
    const explicit = createCellSpace({ ...defs.nb201, nodes: 4 });
    expect([explicit.format([0, 1, 2, 3, 4, 0]), explicit.key([3, 1, 2, 3, 4, 0]), explicit.maxNodes]).toEqual([nb201Space.format([0, 1, 2, 3, 4, 0]), nb201Space.key([3, 1, 2, 3, 4, 0]), 8]);
  });

  it('nb201: format, parse, key, toGraph, indexOf/fromIndex and enumerate order are identical over all 15,625 cells', () => {
    const [, space, ref] = cases[0];
    const refArchs = [...ref.enumerate!()];
    const archs = [...space.enumerate!()];
    expect(archs).toEqual(refArchs);
    expect(archs).toHaveLength(15_625);
    for (let i = 0; i < archs.length; i++) {
      const arch = archs[i];
      const text = space.format(arch);
      expect(text).toBe(ref.format(arch));
      expect(space.parse(text)).toEqual(ref.parse(text));
      expect(space.key(arch)).toBe(ref.key(arch));
      expect(graphBytes(space, arch)).toBe(graphBytes(ref, arch));
      expect(space.indexOf(arch)).toBe(ref.indexOf(arch));
      expect(space.fromIndex(i)).toEqual(ref.fromIndex(i));
      expect(space.invalidReason(arch)).toBe(ref.invalidReason(arch));
    }
  });

  it('ecg: enumerate order over all 10^6 cells, and every per-cell output on 20,000 of them', () => {
    const [, space, ref] = cases[1];
    let i = 0;
    for (const arch of space.enumerate!()) {
      if (ref.indexOf(arch) !== i) expect(ref.fromIndex(i)).toEqual(arch);
      i++;
    }
    expect(i).toBe(1_000_000);
    const rng = Rng.seeded(11);
    for (let n = 0; n < 20_000; n++) {
      const idx = rng.below(1_000_000);
      const arch = space.fromIndex(idx);
      expect(arch).toEqual(ref.fromIndex(idx));
      const text = space.format(arch);
      expect(text).toBe(ref.format(arch));
      expect(space.parse(text)).toEqual(ref.parse(text));
      expect(space.key(arch)).toBe(ref.key(arch));
      expect(graphBytes(space, arch)).toBe(graphBytes(ref, arch));
      expect(space.indexOf(arch)).toBe(idx);
    }
  });

  it.each(cases)('%s: sample, mutate and crossover draw the same numbers and give the same cells (seeded evolution runs)', (_name, space, ref) => {
    for (let seed = 0; seed < 300; seed++) {
      const r1 = Rng.seeded(seed);
      const r2 = Rng.seeded(seed);
      let pop1 = Array.from({ length: 8 }, () => space.sample(r1));
      let pop2 = Array.from({ length: 8 }, () => ref.sample(r2));
      expect(pop1).toEqual(pop2);
      for (let step = 0; step < 40; step++) {
        const [i1, j1] = [r1.below(pop1.length), r1.below(pop1.length)];
        const [i2, j2] = [r2.below(pop2.length), r2.below(pop2.length)];
        const c1 = space.crossover(pop1[i1], pop1[j1], r1);
        const c2 = ref.crossover(pop2[i2], pop2[j2], r2);
        const m1 = space.mutate(c1, r1);
        const m2 = ref.mutate(c2, r2);
        expect(m1).toEqual(m2);
        pop1 = [...pop1.slice(1), m1];
        pop2 = [...pop2.slice(1), m2];
      }
      expect(r1.state()).toEqual(r2.state());
    }
  });

  it.each(cases)('%s: parse and invalidReason give the same results and messages on valid, near-valid and malformed text', (_name, space, ref) => {
    const texts = ['', '|', '|none~0|', '|conv~0|', `${space.format([0, 1, 0, 1, 0, 1])}x`, ` ${space.format([1, 1, 1, 1, 1, 1])} `, '|none~0|+|none~0|none~1|+|none~0|none~1|', 'x'.repeat(5000)];
    for (const text of texts) expect(errorOf(() => space.parse(text))).toBe(errorOf(() => ref.parse(text)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat(), fc.string({ maxLength: 3 }), (seed, at, piece) => {
        let text = space.format(space.sample(Rng.seeded(seed)));
        const i = at % text.length;
        text = text.slice(0, i) + piece + text.slice(i + 1);
        expect(errorOf(() => space.parse(text))).toBe(errorOf(() => ref.parse(text)));
        if (errorOf(() => space.parse(text)) === 'no error') expect(space.parse(text)).toEqual(ref.parse(text));
      }),
      { numRuns: 500 },
    );
    for (const arch of [[0, 1, 2], [0, 1, 2, 3, 4, 99], [0, 1, 2, 3, 4, 0.5], [-1, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0]]) expect(space.invalidReason(arch)).toBe(ref.invalidReason(arch));
    for (const idx of [-1, 0.5, space.size!, Number.NaN]) expect(errorOf(() => space.fromIndex(idx))).toBe(errorOf(() => ref.fromIndex(idx)));
  });
});
