import { describe, expect, it } from 'vitest';
import { Rng, UserError } from '@dcl-enas/common';
import { nb101Space } from './space';
import { C1, C3, MP, PRUNABLE_MATRIX } from './test-cells';

describe('nb101 toGraph', () => {
  it('gives the pruned graph padded to 7 nodes', () => {
    const cell = { matrix: PRUNABLE_MATRIX, ops: ['input', C1, C3, C3, 'output'] };
    const graph = nb101Space.toGraph(cell);
    expect(nb101Space.nodeOps).toEqual(['input', C1, C3, MP, 'output']);
    expect(graph.nodeCount).toBe(3);
    expect(Array.from(graph.ops)).toEqual([0, 1, 4, -1, -1, -1, -1]);
    const edges: [number, number][] = [];
    graph.adjacency.forEach((v, k) => v && edges.push([Math.floor(k / 7), k % 7]));
    expect(edges).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });

  it('puts the output at nodeCount - 1 for sampled cells', () => {
    const rng = Rng.seeded(3);
    for (let i = 0; i < 50; i++) {
      const graph = nb101Space.toGraph(nb101Space.sample(rng));
      expect(graph.adjacency).toHaveLength(49);
      expect(graph.ops[0]).toBe(0);
      expect(graph.ops[graph.nodeCount - 1]).toBe(4);
      for (let k = graph.nodeCount; k < 7; k++) expect(graph.ops[k]).toBe(-1);
    }
  });
});

describe('nb101 format / parse', () => {
  it('round-trips sampled cells', () => {
    const rng = Rng.seeded(4);
    for (let i = 0; i < 50; i++) {
      const cell = nb101Space.sample(rng);
      const text = nb101Space.format(cell);
      expect(nb101Space.parse(text)).toEqual(cell);
    }
  });

  it('names what is wrong, as a UserError', () => {
    expect(() => nb101Space.parse('{"matrix":[[0,1],[0,0]]')).toThrow(UserError);
    expect(() => nb101Space.parse('{"matrix":[[0,1],[0,0]]')).toThrow(/not JSON/);
    expect(() => nb101Space.parse('[1,2]')).toThrow(/expected an object with "matrix" and "ops"/);
    expect(() => nb101Space.parse('{"matrix":[[0,1],[0,0]],"ops":["input","conv7x7"]}')).toThrow(/last op must be 'output'/);
    expect(() => nb101Space.parse('{"matrix":[[0,0],[0,0]],"ops":["input","output"]}')).toThrow(/input is not connected to output/);
    expect(() => nb101Space.parse('{"ops":["input","output"]}')).toThrow(/matrix is missing/);
  });
});
