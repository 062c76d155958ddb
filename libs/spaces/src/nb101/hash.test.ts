import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@dcl-enas/common';
import { nb101Space } from './space';
import { C1, PUBLISHED, README_QUERY_CELL, README_STORED_CELL, permuteCell } from './test-cells';

describe('nb101 key = the benchmark module hash', () => {
  it.each(PUBLISHED)('reproduces $hash ($source)', ({ cell, hash }) => {
    expect(nb101Space.key(cell)).toBe(hash);
  });

  it('gives the README query cell and the form the dataset stores it in one key', () => {
    // google-research/nasbench README: the query cell and the form the dataset stores it in.
    expect(nb101Space.key(README_QUERY_CELL)).toBe(nb101Space.key(README_STORED_CELL));
  });

  it('tells apart cells that differ in one op or one edge', () => {
    const base = PUBLISHED[0].cell;
    const otherOp = { matrix: base.matrix, ops: base.ops.map((op, i) => (i === 2 ? C1 : op)) };
    // Move the edge 2 -> 6 to 1 -> 6 (the cell already has the maximum of 9 edges).
    const moved = (i: number, j: number, v: number): number => (i === 1 && j === 6 ? 1 : i === 2 && j === 6 ? 0 : v);
    const otherEdge = { matrix: base.matrix.map((row, i) => row.map((v, j) => moved(i, j, v))), ops: base.ops };
    const keys = new Set([base, otherOp, otherEdge].map((c) => nb101Space.key(c)));
    expect(keys.size).toBe(3);
  });

  it('is invariant under any vertex relabelling that keeps the cell upper-triangular', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (cellSeed, permSeed) => {
        const cell = nb101Space.sample(Rng.seeded(cellSeed));
        const permuted = permuteCell(cell, Rng.seeded(permSeed));
        expect(nb101Space.isValid(permuted)).toBe(true);
        expect(nb101Space.key(permuted)).toBe(nb101Space.key(cell));
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the published hashes under relabelling', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), (seed) => {
        for (const { cell, hash } of PUBLISHED) expect(nb101Space.key(permuteCell(cell, Rng.seeded(seed)))).toBe(hash);
      }),
      { numRuns: 50 },
    );
  });
});
