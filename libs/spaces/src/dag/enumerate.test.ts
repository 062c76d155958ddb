import { describe, expect, it } from 'vitest';
import { Rng } from '@dcl-enas/common';
import { NB101_INNER_OPS } from '../nb101/ops';
import { nb101Space } from '../nb101/space';
import { createDagSpace, DAG_ENUMERATE_MAX_GRAPHS, type DagArch, type DagSpaceDefinition } from './index';
import { enumerateUnbounded, examinedGraphCount } from './enumerate';

const def = (maxNodes: number, maxEdges: number, ops: readonly string[]): DagSpaceDefinition => ({ name: `e${maxNodes}-${maxEdges}`, label: `E${maxNodes}/${maxEdges}`, ops, maxNodes, maxEdges });
const rulesOf = (d: DagSpaceDefinition) => ({ label: d.label, ops: d.ops, maxNodes: d.maxNodes, maxEdges: d.maxEdges });
const opNames = (n: number): string[] => Array.from({ length: n }, (_, i) => `o${i}`);

/** Distinct keys over every labelled cell on maxNodes vertices (2^(n(n-1)/2) matrices x |ops|^(n-2) labellings), the slow way. */
function bruteForceKeys(d: DagSpaceDefinition): Set<string> {
  const space = createDagSpace(d);
  const n = d.maxNodes;
  const slots: [number, number][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) slots.push([i, j]);
  const keys = new Set<string>();
  for (let mask = 0; mask < 2 ** slots.length; mask++) {
    const matrix = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    slots.forEach(([i, j], s) => (matrix[i][j] = Math.floor(mask / 2 ** s) % 2));
    for (let labels = 0; labels < d.ops.length ** (n - 2); labels++) {
      const ops = ['input', ...Array.from({ length: n - 2 }, (_, v) => d.ops[Math.floor(labels / d.ops.length ** v) % d.ops.length]), 'output'];
      const cell = { matrix, ops };
      if (space.isValid(cell)) keys.add(space.key(cell));
    }
  }
  return keys;
}

function enumerated(d: DagSpaceDefinition): { archs: DagArch[]; keys: Set<string>; size: number } {
  const space = createDagSpace(d);
  expect(space.enumerate).toBeTypeOf('function');
  const archs = [...space.enumerate!()];
  return { archs, keys: new Set(archs.map((a) => space.key(a))), size: space.size! };
}

describe('dag enumerate / size', () => {
  it.each([
    ['4 vertices, 3 ops', def(4, 6, ['conv', 'pool', 'id'])],
    ['4 vertices, 3 edges, 2 ops', def(4, 3, ['a', 'b'])],
    ['5 vertices, 6 edges, 2 ops', def(5, 6, ['a', 'b'])],
    ['5 vertices, 10 edges, 1 op', def(5, 10, ['a'])],
    ['3 vertices, 16 ops', def(3, 3, opNames(16))],
  ])('%s: yields exactly size distinct keys, valid pruned cells, the same keys as brute force', (_what, d) => {
    const space = createDagSpace(d);
    const { archs, keys, size } = enumerated(d);
    expect(archs).toHaveLength(size);
    expect(keys.size).toBe(size);
    for (const arch of archs) {
      expect(space.invalidReason(arch)).toBeNull();
      // Pruned form: every vertex kept.
      expect(space.toGraph(arch).nodeCount).toBe(arch.ops.length);
      expect(space.parse(space.format(arch))).toEqual(arch);
    }
    expect([...keys].sort()).toEqual([...bruteForceKeys(d)].sort());
  });

  it('agrees with NB101 own cell counts per vertex count (1, 6, 84, 2441 cells of 2..5 vertices)', () => {
    const count = (maxNodes: number, maxEdges: number) => createDagSpace(def(maxNodes, maxEdges, NB101_INNER_OPS)).size;
    expect(count(3, 3)).toBe(1 + 6);
    expect(count(4, 6)).toBe(1 + 6 + 84);
    expect(count(5, 9)).toBe(1 + 6 + 84 + 2441);
    // Every NB101 cell of up to 5 vertices, so its keys are NB101 module hashes.
    const small = enumerated(def(5, 9, NB101_INNER_OPS));
    for (const arch of small.archs.slice(0, 200)) expect(nb101Space.key(arch)).toBe(createDagSpace(def(5, 9, NB101_INNER_OPS)).key(arch));
  });

  it('covers every cell sampling and mutation reach', () => {
    const d = def(5, 6, ['a', 'b', 'c']);
    const space = createDagSpace(d);
    const { keys } = enumerated(d);
    const rng = Rng.seeded(9);
    for (let i = 0; i < 300; i++) {
      const cell = space.sample(rng);
      expect(keys.has(space.key(cell))).toBe(true);
      expect(keys.has(space.key(space.mutate(cell, rng)))).toBe(true);
    }
  });

  it('offers enumerate and size only within the bound', () => {
    expect(DAG_ENUMERATE_MAX_GRAPHS).toBe(200_000);
    const enumerable = [def(4, 6, opNames(16)), def(5, 10, opNames(6)), def(6, 15, ['a']), def(7, 6, ['a']), def(12, 2, opNames(16)), def(12, 3, opNames(16)), def(12, 1, ['a'])];
    const tooBig = [def(5, 10, opNames(7)), def(6, 15, ['a', 'b']), def(7, 9, NB101_INNER_OPS), def(8, 7, ['a']), def(12, 66, opNames(16)), def(12, 4, opNames(16))];
    for (const d of enumerable) {
      expect(examinedGraphCount(rulesOf(d))).toBeLessThanOrEqual(DAG_ENUMERATE_MAX_GRAPHS);
      const space = createDagSpace(d);
      expect(space.enumerate).toBeTypeOf('function');
      expect('size' in space).toBe(true);
    }
    for (const d of tooBig) {
      expect(examinedGraphCount(rulesOf(d))).toBeGreaterThan(DAG_ENUMERATE_MAX_GRAPHS);
      const space = createDagSpace(d);
      expect(space.enumerate).toBeUndefined();
      expect(space.size).toBeUndefined();
      expect('size' in space).toBe(false);
    }
    // A sparse space of many vertices: input -> output, or input -> op -> output.
    expect(createDagSpace(def(12, 2, opNames(16))).size).toBe(17);
    expect(createDagSpace(def(12, 1, ['a'])).size).toBe(1);
  });

  it('yields fresh copies each time', () => {
    const space = createDagSpace(def(4, 6, ['a', 'b']));
    const first = [...space.enumerate!()];
    first[0].ops[0] = 'changed';
    first[1].matrix[0][1] = 7;
    const again = [...space.enumerate!()];
    expect(again[0].ops[0]).toBe('input');
    expect(again.every((arch) => space.isValid(arch))).toBe(true);
    expect(space.size).toBe(again.length);
  });

  it.runIf(process.env.DAG_ENUMERATE_NB101 === '1')(
    "counts NB101's 423,624 cells by enumeration (1-2 minutes; set DAG_ENUMERATE_NB101=1)",
    () => {
      const cells = enumerateUnbounded({ label: 'NB101', ops: NB101_INNER_OPS, maxNodes: 7, maxEdges: 9 });
      const byVertices = [0, 0, 0, 0, 0, 0, 0, 0];
      for (const cell of cells) byVertices[cell.ops.length]++;
      expect(cells).toHaveLength(423_624);
      expect(byVertices).toEqual([0, 0, 1, 6, 84, 2441, 62010, 359082]);
    },
    600_000,
  );
});
