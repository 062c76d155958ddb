import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Rng } from '@dcl-enas/common';
import { nb201Space } from '@dcl-enas/spaces';
import { augment, type AugmentConfig } from './augment';
import { codecFor, graphProblem, pruneGraph, type GraphCodec, type WorkGraph } from './graph-codec';
import { pathVocab, writePathCounts } from './path-encoding';

const nb201 = codecFor(nb201Space);
const nb201Arch = fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 6, maxLength: 6 });
const augmentCfg = fc.record({
  dropNode: fc.double({ min: 0, max: 1, noNaN: true }),
  dropEdge: fc.double({ min: 0, max: 1, noNaN: true }),
  substituteOp: fc.double({ min: 0, max: 1, noNaN: true }),
  permute: fc.boolean(),
});

/**
 * Random DAGs in an NB101-like space (7 nodes, upper-triangular, 3 interior ops): whatever the
 * adjacency, pruning yields a well-formed graph, so augmentations start from every shape.
 */
const nb101Like: GraphCodec = codecFor({ name: 'nb101-like', maxNodes: 7, nodeOps: ['input', 'conv1x1', 'conv3x3', 'maxpool', 'output'] });
const randomDag = fc
  .record({
    nodes: fc.integer({ min: 2, max: 7 }),
    bits: fc.array(fc.boolean(), { minLength: 21, maxLength: 21 }),
    ops: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 5, maxLength: 5 }),
  })
  .map(({ nodes, bits, ops }): WorkGraph => {
    const n = 7;
    const adjacency = new Uint8Array(n * n);
    let k = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++, k++) if (i < nodes && j < nodes && bits[k]) adjacency[i * n + j] = 1;
    const nodeOps = new Int8Array(n).fill(-1);
    for (let i = 0; i < nodes; i++) nodeOps[i] = i === 0 ? 0 : i === nodes - 1 ? 4 : ops[i - 1];
    return { nodeCount: nodes, adjacency, ops: nodeOps };
  });

describe('graph pruning', () => {
  it('gives a well-formed graph for every NB201 cell', () => {
    for (const arch of nb201Space.enumerate!()) {
      expect(graphProblem(pruneGraph(nb201Space.toGraph(arch), nb201), nb201)).toBeNull();
    }
  });

  it('keeps only what reaches the output, so functionally equal cells encode equally', () => {
    const g = (s: string) => pruneGraph(nb201Space.toGraph(nb201Space.parse(s)), nb201);
    // an all-none cell and one whose convs feed nothing are both the empty graph
    const empty = g('|none~0|+|none~0|none~1|+|none~0|none~1|none~2|');
    expect(empty.nodeCount).toBe(2);
    expect(g('|nor_conv_3x3~0|+|nor_conv_3x3~0|none~1|+|none~0|none~1|none~2|')).toEqual(empty);
    // one conv3x3 straight to the output: input -> conv -> output
    const single = g('|none~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|');
    expect(single.nodeCount).toBe(3);
    expect(nb201Space.nodeOps[single.ops[1]]).toBe('nor_conv_3x3');
    // a dead branch into node 1 does not change it
    expect(g('|avg_pool_3x3~0|+|none~0|none~1|+|nor_conv_3x3~0|none~1|none~2|')).toEqual(single);
  });

  it('gives a well-formed graph for any DAG', () => {
    fc.assert(
      fc.property(randomDag, (dag) => {
        expect(graphProblem(pruneGraph(dag, nb101Like), nb101Like)).toBeNull();
      }),
    );
  });
});

describe('augmentations keep graphs well-formed', () => {
  const check = (codec: GraphCodec, g: WorkGraph, seed: number, cfg: AugmentConfig) => {
    const view = augment(g, codec, Rng.seeded(seed), cfg);
    expect(graphProblem(view, codec)).toBeNull();
    expect(view.nodeCount).toBeLessThanOrEqual(g.nodeCount);
    // dropping never adds: edge count can only shrink
    expect(view.adjacency.reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(g.adjacency.reduce((s, v) => s + v, 0));
  };

  it('on NB201 cells', () => {
    fc.assert(
      fc.property(nb201Arch, fc.integer(), augmentCfg, (arch, seed, cfg) => {
        check(nb201, pruneGraph(nb201Space.toGraph(arch), nb201), seed, cfg);
      }),
      { numRuns: 500 },
    );
  });

  it('on arbitrary DAGs of an NB101-like space', () => {
    fc.assert(fc.property(randomDag, fc.integer(), augmentCfg, (dag, seed, cfg) => {
        check(nb101Like, pruneGraph(dag, nb101Like), seed, cfg);
      }), {
      numRuns: 500,
    });
  });

  it('actually changes graphs at full strength', () => {
    const full = pruneGraph(nb201Space.toGraph([3, 3, 3, 3, 3, 3]), nb201);
    const opsOnly = augment(full, nb201, Rng.seeded(1), { dropNode: 0, dropEdge: 0, substituteOp: 1, permute: false });
    for (let i = 1; i < full.nodeCount - 1; i++) expect(opsOnly.ops[i]).not.toBe(full.ops[i]);
    expect(augment(full, nb201, Rng.seeded(1), { dropNode: 1, dropEdge: 0, substituteOp: 0, permute: false }).nodeCount).toBeLessThan(full.nodeCount);
    // NB101-like diamond with a shortcut: input -> a -> output, input -> b -> output, input -> output
    const n = 7;
    const adjacency = new Uint8Array(n * n);
    for (const [i, j] of [[0, 1], [0, 2], [0, 3], [1, 3], [2, 3]]) adjacency[i * n + j] = 1;
    const diamond = { nodeCount: 4, adjacency, ops: Int8Array.from([0, 1, 2, 4, -1, -1, -1]) };
    const dropped = augment(diamond, nb101Like, Rng.seeded(3), { dropNode: 0, dropEdge: 1, substituteOp: 0, permute: false });
    expect(dropped.adjacency.reduce((s, v) => s + v, 0)).toBeLessThan(5);
  });
});

describe('graphProblem', () => {
  it('names what is wrong', () => {
    const g = pruneGraph(nb201Space.toGraph([3, 3, 3, 3, 3, 3]), nb201);
    const cyclic = { ...g, adjacency: Uint8Array.from(g.adjacency) };
    const n = nb201.maxNodes;
    cyclic.adjacency[(g.nodeCount - 2) * n + 1] = 1; // last interior node back to the first
    expect(graphProblem(cyclic, nb201)).toMatch(/cycle/);
    const orphan = { ...g, adjacency: Uint8Array.from(g.adjacency) };
    for (let j = 0; j < n; j++) orphan.adjacency[1 * n + j] = 0;
    expect(graphProblem(orphan, nb201)).toMatch(/not on an input-output path/);
    expect(graphProblem({ ...g, ops: Int8Array.from(g.ops).fill(0, 1, 2) }, nb201)).toMatch(/node 1 has op/);
  });
});

describe('path encoding', () => {
  it('counts input-output paths by op sequence', () => {
    const vocab = pathVocab(nb201);
    expect(vocab.maxLen).toBeGreaterThanOrEqual(3); // every NB201 path has at most 3 ops
    const out = new Float32Array(vocab.size);
    // all conv3x3: paths c3 (edge 0->3), c3-c3 twice (0->1->3, 0->2->3), c3-c3-c3 once (0->1->2->3)
    writePathCounts(pruneGraph(nb201Space.toGraph([3, 3, 3, 3, 3, 3]), nb201), nb201, vocab, out, 0);
    const k = nb201.interiorOps.length;
    const d = nb201.interiorOps.indexOf(nb201Space.nodeOps.indexOf('nor_conv_3x3'));
    const at = (len: number) => Array.from({ length: len }, (_, l) => k ** l).reduce((a, b) => a + b, 0) + Array.from({ length: len }, (_, l) => d * k ** l).reduce((a, b) => a + b, 0);
    expect(out[at(1)]).toBeCloseTo(Math.log1p(1));
    expect(out[at(2)]).toBeCloseTo(Math.log1p(2));
    expect(out[at(3)]).toBeCloseTo(Math.log1p(1));
    expect(out.filter((v) => v > 0)).toHaveLength(3);
    // the empty cell has no path at all
    const empty = new Float32Array(vocab.size);
    writePathCounts(pruneGraph(nb201Space.toGraph([0, 0, 0, 0, 0, 0]), nb201), nb201, vocab, empty, 0);
    expect(empty.every((v) => v === 0)).toBe(true);
  });
});
