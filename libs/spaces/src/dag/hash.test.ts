import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@dcl-enas/common';
import { NB101_INNER_OPS } from '../nb101/ops';
import { nb101Space } from '../nb101/space';
import { referenceNb101Space } from '../nb101/nb101-space.test-reference';
import { PRUNABLE_MATRIX, PUBLISHED, README_QUERY_CELL, README_STORED_CELL, permuteCell } from '../nb101/test-cells';
import { createDagSpace, dagHash, type DagArch } from './index';
import { pruneCell } from './prune';
import { definition, relabel, seed } from './test-spaces';

/** A plain dag space with NB101's numbers, without any NB101 option. */
const nb101Like = createDagSpace({ name: 'nb101-like', label: 'NB101-like', ops: NB101_INNER_OPS, maxNodes: 7, maxEdges: 9 });

const SHIPPED: DagArch[] = [
  ...PUBLISHED.map((p) => p.cell),
  README_QUERY_CELL,
  README_STORED_CELL,
  { matrix: PRUNABLE_MATRIX, ops: ['input', NB101_INNER_OPS[0], NB101_INNER_OPS[1], NB101_INNER_OPS[2], 'output'] },
  { matrix: [[0, 1], [0, 0]], ops: ['input', 'output'] },
];

/** A random permutation of 1..k. */
const shuffled = (k: number, s: number): number[] => Rng.seeded(s).shuffle(Array.from({ length: k }, (_, i) => i + 1));

describe('dag key', () => {
  it('is NB101 own hash when the ops are NB101_INNER_OPS in that order (shipped cells)', () => {
    for (const { cell, hash } of PUBLISHED) expect(nb101Like.key(cell)).toBe(hash);
    for (const cell of SHIPPED) {
      expect(nb101Like.key(cell)).toBe(nb101Space.key(cell));
      expect(nb101Like.key(cell)).toBe(referenceNb101Space.key(cell));
    }
    expect(nb101Like.key(README_QUERY_CELL)).toBe(nb101Like.key(README_STORED_CELL));
  });

  it('is NB101 own hash on sampled and mutated cells', () => {
    fc.assert(
      fc.property(seed, (s) => {
        const rng = Rng.seeded(s);
        const cell = nb101Like.sample(rng);
        for (const arch of [cell, nb101Like.mutate(cell, rng)]) expect(nb101Like.key(arch)).toBe(referenceNb101Space.key(arch));
      }),
      { numRuns: 200 },
    );
  });

  it('depends on an op only through its index in def.ops', () => {
    const renamed = createDagSpace({ name: 'renamed', label: 'Renamed', ops: ['a', 'b', 'c'], maxNodes: 7, maxEdges: 9 });
    const rename = (cell: DagArch): DagArch => ({ matrix: cell.matrix, ops: cell.ops.map((op) => ['a', 'b', 'c'][NB101_INNER_OPS.indexOf(op as never)] ?? op) });
    for (const { cell, hash } of PUBLISHED) expect(renamed.key(rename(cell))).toBe(hash);
    // Another order of the same names labels the vertices differently.
    const reordered = createDagSpace({ name: 'reordered', label: 'Reordered', ops: [...NB101_INNER_OPS].reverse(), maxNodes: 7, maxEdges: 9 });
    for (const { cell, hash } of PUBLISHED) expect(reordered.key(cell)).not.toBe(hash);
  });

  it('is invariant under relabelling the interior vertices along any topological order (any definition)', () => {
    fc.assert(
      fc.property(definition, seed, seed, (def, cellSeed, permSeed) => {
        const space = createDagSpace(def);
        const cell = space.sample(Rng.seeded(cellSeed));
        const permuted = permuteCell(cell, Rng.seeded(permSeed));
        expect(space.isValid(permuted)).toBe(true);
        expect(space.key(permuted)).toBe(space.key(cell));
      }),
      { numRuns: 300 },
    );
  });

  it('the hash of a pruned cell is invariant under any permutation of its interior vertices (any definition)', () => {
    fc.assert(
      fc.property(definition, seed, seed, (def, cellSeed, permSeed) => {
        const space = createDagSpace(def);
        const pruned = pruneCell(space.sample(Rng.seeded(cellSeed)))!;
        const k = pruned.ops.length;
        const moved = relabel(pruned, shuffled(k - 2, permSeed));
        expect(dagHash(moved, def.ops)).toBe(space.key(pruned));
      }),
      { numRuns: 300 },
    );
  });

  it('keeps the published hashes under any interior permutation', () => {
    fc.assert(
      fc.property(seed, (s) => {
        for (const { cell, hash } of PUBLISHED) expect(dagHash(relabel(cell, shuffled(5, s)), NB101_INNER_OPS)).toBe(hash);
      }),
      { numRuns: 100 },
    );
  });

  it('tells apart cells that differ in one op or one edge', () => {
    const space = createDagSpace({ name: 'x', label: 'X', ops: ['p', 'q'], maxNodes: 4, maxEdges: 6 });
    const base: DagArch = { matrix: [[0, 1, 1, 0], [0, 0, 0, 1], [0, 0, 0, 1], [0, 0, 0, 0]], ops: ['input', 'p', 'p', 'output'] };
    const otherOp: DagArch = { matrix: base.matrix, ops: ['input', 'p', 'q', 'output'] };
    const otherEdge: DagArch = { matrix: base.matrix.map((row, i) => (i === 0 ? [0, 1, 1, 1] : row)), ops: base.ops };
    expect(new Set([base, otherOp, otherEdge].map((c) => space.key(c))).size).toBe(3);
  });
});
